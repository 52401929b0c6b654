package io.tunnelplane.agent;

import io.tunnelplane.protocol.DisconnectCause;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * How long one connection waits before its next attempt, from how its attempts and sessions ended: at once (spread
 * over the server's window) when the server asked for the reconnect or the session had been stable; otherwise
 * exponential backoff with full jitter. A server that went away on purpose comes back, so while it restarts the
 * retries stay within the window it named instead of drifting out to the cap; after
 * {@link #ANNOUNCED_RESTART_PATIENCE} without getting in, the usual backoff applies again.
 */
final class ReconnectSchedule {
    static final Duration ANNOUNCED_RESTART_PATIENCE = Duration.ofMinutes(5);

    private final Backoff backoff;
    private final Duration stableAfter;
    private final LongSupplier nanoClock;
    private int failures;
    private Duration announcedWindow = Duration.ZERO;
    private long announcedUntil;
    private boolean announced;

    ReconnectSchedule(Backoff backoff, Duration stableAfter, LongSupplier nanoClock) {
        this.backoff = backoff;
        this.stableAfter = stableAfter;
        this.nanoClock = nanoClock;
    }

    /** Records how a session ({@code established}) or an attempt ended; returns the wait before the next one. */
    Duration next(SessionOutcome outcome, Duration lasted) {
        if (outcome.established()) {
            // A session the server ended on purpose, or one that was stable, does not count toward backoff.
            boolean healthy = outcome.serverAskedToReconnect() || lasted.compareTo(stableAfter) >= 0;
            failures = healthy ? 0 : failures + 1;
            announced = outcome.serverAskedToReconnect();
            if (announced) {
                announcedWindow = outcome.reconnectWithin();
                announcedUntil = nanoClock.getAsLong() + ANNOUNCED_RESTART_PATIENCE.toNanos();
            }
        } else {
            failures++;
        }
        if (outcome.cause() == DisconnectCause.REBALANCED) {
            failures = 0; // a move, not a failure
        }
        if (outcome.serverAskedToReconnect() || failures == 0) {
            return backoff.promptDelay(outcome.reconnectWithin());
        }
        boolean restarting = announced && nanoClock.getAsLong() - announcedUntil < 0;
        return restarting ? backoff.delay(failures, announcedWindow) : backoff.delay(failures);
    }
}
