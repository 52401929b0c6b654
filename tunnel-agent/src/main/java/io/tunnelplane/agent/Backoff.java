package io.tunnelplane.agent;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with full jitter: the n-th consecutive failure waits a uniformly random time in
 * {@code [0, min(cap, base * 2^(n-1))]}, so a fleet that lost the same server does not come back in lockstep.
 */
public final class Backoff {
    private final Duration base;
    private final Duration cap;
    private final DoubleSupplier random;

    public Backoff(Duration base, Duration cap, DoubleSupplier random) {
        if (base.isNegative() || base.isZero() || cap.compareTo(base) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < base <= cap");
        }
        this.base = base;
        this.cap = cap;
        this.random = random;
    }

    /** Upper bound of the wait before attempt {@code failures + 1}. */
    public Duration ceiling(int failures) {
        if (failures <= 0) {
            return Duration.ZERO;
        }
        int shift = Math.min(failures - 1, 30);
        long ceiling = base.toMillis() << shift;
        return Duration.ofMillis(Math.min(cap.toMillis(), ceiling < 0 ? Long.MAX_VALUE : ceiling));
    }

    /** A jittered wait after {@code failures} consecutive failures (0 means reconnect at once). */
    public Duration delay(int failures) {
        return Duration.ofMillis((long) (random.getAsDouble() * ceiling(failures).toMillis()));
    }

    /**
     * Like {@link #delay(int)}, but never beyond {@code window} (nor below base): while a server that announced its
     * restart is away, its agents keep trying within the window it asked for instead of drifting out to the cap.
     */
    public Duration delay(int failures, Duration window) {
        long bound = Math.max(base.toMillis(), window.toMillis());
        return Duration.ofMillis((long) (random.getAsDouble() * Math.min(bound, ceiling(failures).toMillis())));
    }

    /** A short jittered wait for a reconnect the server asked for (restart, GOAWAY): spread, but prompt. */
    public Duration promptDelay() {
        return promptDelay(Duration.ZERO);
    }

    /** Like {@link #promptDelay()}, spread over the window the server asked for when it is wider than base. */
    public Duration promptDelay(Duration serverWindow) {
        long window = Math.max(base.toMillis(), serverWindow.toMillis());
        return Duration.ofMillis((long) (random.getAsDouble() * window));
    }

    public Duration cap() {
        return cap;
    }
}
