package io.tunnelplane.control.console;

import io.tunnelplane.control.client.ClientViews;
import io.tunnelplane.control.event.ConnectionEvent;
import io.tunnelplane.control.event.DisconnectDiagnosis;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The picture of "why do my tunnels drop": every session of the window as a bar from its start to its end, coloured
 * by how it ended (chosen, explained by a pause, or unexplained, as the diagnosis classes them), with gaps where the agent was away, and the live
 * sessions running up to now. Positions are percentages of the window, for an SVG that scales with the page.
 */
public record SessionTimeline(Instant from, Instant to, List<Bar> bars, int unexplained, String rttPoints) {
    private static final Formats FORMATS = new Formats();

    /**
     * One session.
     *
     * @param kind {@code live}, {@code chosen}, {@code paused} or {@code unexplained}: the bar's colour
     * @param label what a reader (and a screen reader) is told about it
     */
    public record Bar(double x, double width, String kind, String cause, String label) {
    }

    static SessionTimeline of(List<ConnectionEvent> newestFirst, ClientViews.Live live, Instant now,
            Duration window) {
        Instant from = now.minus(window);
        double span = window.toMillis();
        List<Bar> bars = new ArrayList<>();
        StringBuilder rtt = new StringBuilder();
        int unexplained = 0;
        for (ConnectionEvent e : newestFirst) {
            if (e.getDisconnectedAt().isBefore(from)) {
                break;
            }
            // The same classes as the diagnosis: what it would explain is what the timeline shows as dropped.
            String kind = DisconnectDiagnosis.isUnexplained(e.getCause()) ? "unexplained"
                    : DisconnectDiagnosis.isPause(e.getCause()) ? "paused" : "chosen";
            if ("unexplained".equals(kind)) {
                unexplained++;
            }
            if (e.getLastRttMicros() != null && e.getLastRttMicros() > 0) {
                rtt.insert(0, point(from, span, e.getDisconnectedAt(), e.getLastRttMicros()) + " ");
            }
            bars.add(bar(from, span, later(e.getConnectedAt(), from), e.getDisconnectedAt(), kind, e.getCause(),
                    FORMATS.time(e.getConnectedAt()) + " to " + FORMATS.time(e.getDisconnectedAt()) + ", ended: "
                            + e.getCause() + "; moved " + FORMATS.bytes(e.getBytesIn() + e.getBytesOut())
                            + ", last RTT " + FORMATS.millis(e.getLastRttMicros())));
        }
        for (ClientViews.Connection c : live.connections()) {
            if (c.since() != null) {
                bars.add(bar(from, span, later(c.since(), from), now, "live", "live",
                        "since " + FORMATS.time(c.since()) + ", up now" + (c.node() == null ? "" : " on " + c.node())));
            }
        }
        return new SessionTimeline(from, now, bars, unexplained, rtt.toString().strip());
    }

    private static Bar bar(Instant from, double span, Instant start, Instant end, String kind, String cause,
            String label) {
        // A session of a few seconds in a day is still drawn, as a hairline, even at the window's end.
        double width = Math.max(0.3, (end.toEpochMilli() - start.toEpochMilli()) * 100 / span);
        double x = Math.min((start.toEpochMilli() - from.toEpochMilli()) * 100 / span, 100 - width);
        return new Bar(ChartScale.round(x), ChartScale.round(width), kind, cause, label);
    }

    /** A session's last RTT at its end, for the RTT line. */
    private static String point(Instant from, double span, Instant at, long rttMicros) {
        return ChartScale.x(from, span, at) + "," + ChartScale.rttY(rttMicros);
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
