package io.tunnelplane.protocol.keepalive;

import java.time.Duration;

/**
 * When to probe and when to give up. A probe is sent after {@code time} of inbound silence; the session is dead
 * when nothing at all arrives within {@code timeout} after it. RTT is also sampled every {@code rttSampleInterval}
 * on busy sessions, whose liveness needs no probe. The values are the lead's (see {@link KeepaliveRole}); the
 * follower's are derived from them.
 */
public record KeepaliveSettings(Duration time, Duration timeout, Duration rttSampleInterval) {
    public static final Duration MIN_TIME = Duration.ofMillis(100);
    private static final int FOLLOWER_SAMPLE_FACTOR = 4;

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

    /**
     * Silence before this end probes. The follower waits two ticks longer than the lead: the lead's probe leaves up
     * to a tick late and needs a round trip, so a healthy lead always probes first.
     */
    public Duration probeAfter(KeepaliveRole role) {
        return role == KeepaliveRole.LEAD ? time : time.plus(tickInterval().multipliedBy(2));
    }

    /** How often a busy session samples its RTT; the follower mostly leaves it to the lead. */
    public Duration rttSampleInterval(KeepaliveRole role) {
        return role == KeepaliveRole.LEAD ? rttSampleInterval : rttSampleInterval.multipliedBy(FOLLOWER_SAMPLE_FACTOR);
    }

    /**
     * Longest a dead path goes unnoticed by this end: silence until its probe, the probe's timeout, and the
     * lateness of a shared timer (one tick plus a quarter, see {@link KeepaliveTicker}).
     */
    public Duration detectionBound(KeepaliveRole role) {
        return probeAfter(role).plus(timeout).plus(tickInterval()).plus(tickInterval().dividedBy(4));
    }
}
