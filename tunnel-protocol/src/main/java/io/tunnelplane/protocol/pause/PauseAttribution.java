package io.tunnelplane.protocol.pause;

import io.tunnelplane.protocol.DisconnectCause;
import io.tunnelplane.protocol.keepalive.KeepaliveMonitor;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * Decides whether a session that ended as if the path or the peer failed really ended because this side stopped
 * running: the process paused ({@link PauseWatchdog}) or the session's own event loop stalled (its keepalive
 * ticks came late, see {@link KeepaliveMonitor#resumedAfterOwnStall}).
 */
public final class PauseAttribution {
    /**
     * Causes a pause of ours can produce: the peer timed out on us, or our own late timer judged the peer, or the
     * peer's new connection replaced the one it had given up on before we could notice.
     */
    private static final Set<DisconnectCause> EXPLAINABLE = EnumSet.of(DisconnectCause.KEEPALIVE_TIMEOUT,
            DisconnectCause.PEER_RESET, DisconnectCause.PEER_CLOSED, DisconnectCause.WRITE_STALL,
            DisconnectCause.REPLACED);

    private PauseAttribution() {
    }

    /** The pause that explains a session ending now with {@code cause}, if any. */
    public static Optional<Pause> explain(DisconnectCause cause, KeepaliveMonitor monitor) {
        if (!EXPLAINABLE.contains(cause) || monitor == null) {
            return Optional.empty();
        }
        long now = System.nanoTime();
        Duration patience = monitor.settings().timeout();
        Optional<Pause> process = PauseWatchdog.shared().explaining(now, patience);
        if (process.isPresent()) {
            return process;
        }
        long stalled = monitor.lastOwnStallNanos();
        long sinceResume = now - monitor.lastOwnStallEndNanos();
        if (stalled >= Math.max(PauseWatchdog.THRESHOLD.toNanos(), patience.toNanos() / 2)
                && sinceResume <= patience.plus(PauseWatchdog.SETTLE).toNanos()) {
            return Optional.of(new Pause(Instant.now().minusNanos(sinceResume + stalled), Duration.ofNanos(stalled),
                    Pause.Kind.LOOP_STALLED, now - sinceResume));
        }
        return Optional.empty();
    }
}
