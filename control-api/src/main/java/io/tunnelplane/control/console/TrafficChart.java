package io.tunnelplane.control.console;

import io.tunnelplane.control.runtime.TrafficSample;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * A client's recent traffic and RTT as SVG polylines over the window ending now: bytes per second from and to
 * visitors on one linear scale up to the peak, the worst connection RTT on the timeline's log scale. A period
 * without a session leaves the line's gap to the eye: points are placed by time, not by index.
 *
 * @param peak the highest bytes per second either way, the top of the traffic scale
 */
public record TrafficChart(int samples, String inPoints, String outPoints, String rttPoints, long peak,
        long newestIn, long newestOut, Long worstRttMicros) {

    static TrafficChart of(List<TrafficSample> samples, Instant now, Duration window) {
        Instant from = now.minus(window);
        double span = window.toMillis();
        List<TrafficSample> shown = samples.stream().filter(s -> !s.at().isBefore(from)).toList();
        long peak = shown.stream().mapToLong(s -> Math.max(s.bytesInPerSecond(), s.bytesOutPerSecond())).max()
                .orElse(0);
        TrafficSample newest = shown.isEmpty() ? null : shown.get(shown.size() - 1);
        List<TrafficSample> measured = shown.stream().filter(s -> s.rttMicros() != null).toList();
        return new TrafficChart(shown.size(),
                points(shown, from, span, s -> ChartScale.linearY(s.bytesInPerSecond(), peak)),
                points(shown, from, span, s -> ChartScale.linearY(s.bytesOutPerSecond(), peak)),
                points(measured, from, span, s -> ChartScale.rttY(s.rttMicros())),
                peak, newest == null ? 0 : newest.bytesInPerSecond(), newest == null ? 0 : newest.bytesOutPerSecond(),
                measured.stream().map(TrafficSample::rttMicros).max(Long::compare).orElse(null));
    }

    /** A single sample is given twice: a zero-length line with round caps draws it as a dot. */
    private static String points(List<TrafficSample> samples, Instant from, double span,
            ToDoubleFunction<TrafficSample> y) {
        String points = samples.stream().map(s -> ChartScale.x(from, span, s.at()) + "," + y.applyAsDouble(s))
                .collect(Collectors.joining(" "));
        return samples.size() == 1 ? points + " " + points : points;
    }
}
