package io.tunnelplane.protocol.keepalive;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The server's guard against a peer that probes too often (grpc's KeepAliveEnforcer): a PING that arrives sooner
 * than {@code minInterval} after the previous one is a strike, any data in between forgives nothing, and more than
 * {@code maxStrikes} strikes end the session with {@code too_many_pings}. Time is injected for tests.
 */
public final class PingStrikes {
    private final long minIntervalNanos;
    private final int maxStrikes;
    private final LongSupplier nanoClock;
    private long lastPing;
    private boolean seenPing;
    private int strikes;

    public PingStrikes(Duration minInterval, int maxStrikes, LongSupplier nanoClock) {
        this.minIntervalNanos = minInterval.toNanos();
        this.maxStrikes = maxStrikes;
        this.nanoClock = nanoClock;
    }

    /** A PING (not an ACK) arrived. Returns true when the peer has now exceeded its strikes. */
    public boolean onPing() {
        long now = nanoClock.getAsLong();
        // A little slack: timers on both sides fire a few milliseconds early or late.
        if (seenPing && now - lastPing < minIntervalNanos - minIntervalNanos / 10) {
            strikes++;
        }
        seenPing = true;
        lastPing = now;
        return strikes > maxStrikes;
    }

    public int strikes() {
        return strikes;
    }
}
