package io.tunnelplane.control.console;

import java.time.Instant;

/** Where a value lands on the console's SVG charts, whose view boxes run 0-100 both ways (y downwards). */
final class ChartScale {
    private ChartScale() {
    }

    /** {@code at} as a share of the window from {@code from} lasting {@code spanMillis}. */
    static double x(Instant from, double spanMillis, Instant at) {
        return round((at.toEpochMilli() - from.toEpochMilli()) * 100 / spanMillis);
    }

    /** An RTT on a log scale from 10 s (top) to 0.1 ms (bottom), so a loopback RTT and a satellite one both show. */
    static double rttY(long rttMicros) {
        return round(100 - (Math.log10(Math.max(100, Math.min(rttMicros, 10_000_000))) - 2) * 20);
    }

    /** {@code value} on a linear scale from 0 (bottom) to {@code peak} (top). */
    static double linearY(long value, long peak) {
        return round(100 - value * 100.0 / Math.max(1, peak));
    }

    static double round(double percent) {
        return Math.round(percent * 100) / 100.0;
    }
}
