package io.tunnelplane.protocol.keepalive;

import io.tunnelplane.protocol.DisconnectCause;
import java.util.function.LongSupplier;

/**
 * The keepalive state machine, free of Netty and of real time so that it can be tested on a fake clock.
 *
 * <p>Any inbound byte is proof of life ({@link #onInbound()} only stores a timestamp, so a busy session costs
 * nothing). {@link #evaluate} runs on a periodic tick and decides whether to probe, wait, or declare the session
 * dead. It never blames the peer for silence while our own side has stopped reading, and it reports a write stall
 * separately from a silent peer.
 *
 * <p>Both ends run one, in different {@link KeepaliveRole roles}: the lead probes after {@code time} of silence, the
 * follower only when the lead's probe is overdue. Either end's probe is inbound traffic for the other, so an idle
 * session carries one probe round trip per period instead of one from each end (half the idle cost of a large
 * fleet), and the follower still finds a dead path on its own.
 */
public final class KeepaliveMonitor {
    private final KeepaliveSettings settings;
    private final KeepaliveRole role;
    private final LongSupplier nanoClock;
    private final long probeAfterNanos;
    private final long timeoutNanos;
    private final long rttSampleNanos;

    // Read by other threads choosing a session for a visitor; a volatile store per inbound read costs nothing
    // next to the read itself.
    private volatile long lastInbound;
    // When bytes really arrived: lastInbound is also moved by our own pauses, this only by reads (event loop only).
    private long lastRead;
    private long lastWriteProgress;
    // Written only when a probe is sent or answered (rare), read by other threads choosing a session.
    private volatile long lastProbeSent;
    private boolean livenessProbeOutstanding;
    private volatile long outstandingPayload = Long.MIN_VALUE;
    private volatile long lastRttNanos = -1;
    private volatile long lastOwnStallNanos;
    private volatile long lastOwnStallEnd;

    public KeepaliveMonitor(KeepaliveSettings settings, KeepaliveRole role, LongSupplier nanoClock) {
        this.settings = settings;
        this.role = role;
        this.nanoClock = nanoClock;
        this.probeAfterNanos = settings.probeAfter(role).toNanos();
        this.timeoutNanos = settings.timeout().toNanos();
        this.rttSampleNanos = settings.rttSampleInterval(role).toNanos();
        long now = nanoClock.getAsLong();
        this.lastInbound = now;
        this.lastRead = now;
        this.lastWriteProgress = now;
        this.lastProbeSent = now;
    }

    public KeepaliveSettings settings() {
        return settings;
    }

    public KeepaliveRole role() {
        return role;
    }

    /** Something arrived from the peer. */
    public void onInbound() {
        long now = nanoClock.getAsLong();
        lastInbound = now;
        lastRead = now;
    }

    /** Whether bytes arrived from the peer within the last {@code nanos}; on the session's event loop only. */
    public boolean readWithin(long nanos) {
        return nanoClock.getAsLong() - lastRead <= nanos;
    }

    /** Bytes left our outbound buffer (or it was empty). */
    public void onWriteProgress() {
        lastWriteProgress = nanoClock.getAsLong();
    }

    /**
     * A probe answer arrived. Returns the round-trip time in nanoseconds, or -1 when the payload is not the probe
     * we are waiting for (a late duplicate or a peer's own ping).
     */
    public long onProbeAck(long payload) {
        if (payload != outstandingPayload) {
            return -1;
        }
        outstandingPayload = Long.MIN_VALUE;
        lastRttNanos = nanoClock.getAsLong() - lastProbeSent;
        return lastRttNanos;
    }

    /**
     * Our own side did not run for {@code stalledNanos} (its event loop was blocked, or the whole process paused).
     * Whatever the peer sent meanwhile waits unread in our socket, so the silence is ours, not the peer's: instead
     * of judging it, probe now and give the peer a full timeout to answer. A path that really died meanwhile is then
     * found one timeout after we run again.
     */
    public void resumedAfterOwnStall(long stalledNanos) {
        long now = nanoClock.getAsLong();
        lastOwnStallNanos = stalledNanos;
        lastOwnStallEnd = now;
        livenessProbeOutstanding = false;
        outstandingPayload = Long.MIN_VALUE;
        lastInbound = Math.min(lastInbound, now - probeAfterNanos);
        lastWriteProgress = now;
    }

    /** How long our own side last stalled, 0 if it never did. */
    public long lastOwnStallNanos() {
        return lastOwnStallNanos;
    }

    /** When our own side last resumed after a stall, on this monitor's clock; meaningful when a stall happened. */
    public long lastOwnStallEndNanos() {
        return lastOwnStallEnd;
    }

    /** Last measured round-trip time in nanoseconds, -1 before the first answer. */
    public long lastRttNanos() {
        return lastRttNanos;
    }

    /**
     * How long the probe in flight has waited for its answer, 0 when none is in flight. Safe to call from any
     * thread: a session whose probe waits much longer than its round-trip time is probably on a dying path.
     */
    public long probeOutstandingNanos() {
        long payload = outstandingPayload;
        return payload == Long.MIN_VALUE ? 0 : Math.max(0, nanoClock.getAsLong() - payload);
    }

    /** Nanoseconds since anything arrived; safe to call from any thread. */
    public long silenceNanos() {
        return nanoClock.getAsLong() - lastInbound;
    }

    /**
     * Decides what to do now.
     *
     * @param readingPaused our side stopped reading for its own backpressure: silence is then not the peer's fault
     * @param writePending  bytes are waiting in our outbound buffer
     */
    public Decision evaluate(boolean readingPaused, boolean writePending) {
        long now = nanoClock.getAsLong();
        if (!writePending) {
            lastWriteProgress = now;
        } else if (now - lastWriteProgress >= timeoutNanos) {
            return Decision.dead(DisconnectCause.WRITE_STALL);
        }
        if (readingPaused) {
            // Whatever the peer sent sits unread in our own socket buffer; restart the clock when reading resumes.
            lastInbound = now;
            livenessProbeOutstanding = false;
            return Decision.NONE;
        }
        if (livenessProbeOutstanding) {
            if (lastInbound - lastProbeSent >= 0) {
                livenessProbeOutstanding = false;
            } else if (now - lastProbeSent >= timeoutNanos) {
                return Decision.dead(DisconnectCause.KEEPALIVE_TIMEOUT);
            } else {
                return Decision.NONE;
            }
        }
        if (now - lastInbound >= probeAfterNanos) {
            livenessProbeOutstanding = true;
            return probe(now);
        }
        if (now - lastProbeSent >= rttSampleNanos && outstandingPayload == Long.MIN_VALUE) {
            return probe(now);
        }
        if (now - lastProbeSent >= rttSampleNanos + timeoutNanos) {
            // The last sample was never answered although traffic flows: sample again rather than go stale.
            return probe(now);
        }
        return Decision.NONE;
    }

    private Decision probe(long now) {
        lastProbeSent = now;
        outstandingPayload = now;
        return Decision.probe(now);
    }

    /** What the driver should do after {@link #evaluate}. */
    public record Decision(Action action, long probePayload, DisconnectCause cause) {
        static final Decision NONE = new Decision(Action.NONE, 0, null);

        static Decision probe(long payload) {
            return new Decision(Action.SEND_PROBE, payload, null);
        }

        static Decision dead(DisconnectCause cause) {
            return new Decision(Action.DEAD, 0, cause);
        }
    }

    public enum Action {
        NONE,
        SEND_PROBE,
        DEAD
    }
}
