package io.tunnelplane.protocol.keepalive;

import java.time.Duration;

/**
 * When to probe and when to give up. A probe is sent after {@code time} of inbound silence; the session is dead
 * when nothing at all arrives within {@code timeout} after it. RTT is also sampled every {@code rttSampleInterval}
 * on busy sessions, whose liveness needs no probe.
 */
public record KeepaliveSettings(Duration time, Duration timeout, Duration rttSampleInterval) {
    public static final Duration MIN_TIME = Duration.ofMillis(100);

    public KeepaliveSettings {
        if (time.compareTo(MIN_TIME) < 0 || timeout.compareTo(MIN_TIME) < 0) {
            throw new IllegalArgumentException("keepalive time and timeout must be at least " + MIN_TIME.toMillis() + " ms");
        }
        if (rttSampleInterval.compareTo(time) < 0) {
            throw new IllegalArgumentException("rttSampleInterval must not be shorter than time");
        }
    }

    public static KeepaliveSettings of(Duration time, Duration timeout) {
        return new KeepaliveSettings(time, timeout, time.multipliedBy(2));
    }

    /** How often the monitor looks at its clocks: a fraction of the shorter period bounds detection latency. */
    public Duration tickInterval() {
        Duration shorter = time.compareTo(timeout) < 0 ? time : timeout;
        Duration tick = shorter.dividedBy(4);
        return tick.compareTo(Duration.ofMillis(25)) < 0 ? Duration.ofMillis(25) : tick;
    }

    /** Longest a dead path goes unnoticed: silence until the probe, the probe's timeout, one tick of lateness. */
    public Duration detectionBound() {
        return time.plus(timeout).plus(tickInterval());
    }
}
