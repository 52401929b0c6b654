package io.tunnelplane.server.admission;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A byte-rate limit shared by connections on several event loops, lock-free (the generic cell rate algorithm: one
 * "theoretical arrival time" advanced by each use). Bytes are counted after they were read, so a use may run the
 * bucket into debt; {@link #delayNanos} says how long a reader should wait before reading again. A burst of
 * {@link #burstBytes} (a tenth of a second at the rate, at least 64 KiB) passes without waiting.
 */
public final class TokenBucket {
    private static final long MIN_BURST = 64 * 1024;

    /** Before the first use: nothing is owed (nanoTime has no fixed origin, so no time value can mean this). */
    private static final long UNUSED = Long.MIN_VALUE;

    private final AtomicLong arrival = new AtomicLong(UNUSED);
    private volatile long bytesPerSecond;

    /** @param bytesPerSecond 0 for no limit */
    public TokenBucket(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
    }

    /** Changes the rate for the next use (connections holding this bucket follow at once). */
    public void rate(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
    }

    public long rate() {
        return bytesPerSecond;
    }

    public long burstBytes() {
        return Math.max(MIN_BURST, bytesPerSecond / 10);
    }

    /** Counts {@code bytes} as used at {@code now} (nanoTime). */
    public void use(long bytes, long now) {
        long rate = bytesPerSecond;
        if (rate <= 0) {
            return;
        }
        long cost = Math.max(1, (long) (bytes * 1e9 / rate));
        long floor = now - tolerance(rate);
        long previous;
        long next;
        do {
            previous = arrival.get();
            next = (previous == UNUSED ? floor : Math.max(previous, floor)) + cost;
        } while (!arrival.compareAndSet(previous, next));
    }

    /** How long to wait from {@code now} before the bucket allows more; 0 when it does. */
    public long delayNanos(long now) {
        long owedUntil = arrival.get();
        return bytesPerSecond <= 0 || owedUntil == UNUSED ? 0 : Math.max(0, owedUntil - now);
    }

    /** The burst as time at the rate: an idle bucket starts that far in credit. */
    private long tolerance(long rate) {
        return (long) (burstBytes() * 1e9 / rate);
    }
}
