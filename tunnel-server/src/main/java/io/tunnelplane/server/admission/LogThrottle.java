package io.tunnelplane.server.admission;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * At most one log line per key and period, so that a flood of refusals is logged once with a count of what was
 * left out rather than a million times. The key space is bounded: past {@code maxKeys} new keys share one line.
 */
public final class LogThrottle {
    private final long periodNanos;
    private final int maxKeys;
    private final LongSupplier nanoTime;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    public LogThrottle(java.time.Duration period, int maxKeys, LongSupplier nanoTime) {
        this.periodNanos = period.toNanos();
        this.maxKeys = maxKeys;
        this.nanoTime = nanoTime;
    }

    /** Returns -1 to suppress the line, otherwise how many lines of this key were suppressed since the last one. */
    public long admit(String key) {
        String bounded = windows.size() >= maxKeys && !windows.containsKey(key) ? "*" : key;
        long now = nanoTime.getAsLong();
        Window window = windows.computeIfAbsent(bounded, k -> new Window(now - periodNanos));
        // Lock-free: event loops call this for every refused connection of a storm.
        long last = window.lastLogged.get();
        if (now - last >= periodNanos && window.lastLogged.compareAndSet(last, now)) {
            return window.suppressed.getAndSet(0);
        }
        window.suppressed.incrementAndGet();
        return -1;
    }

    /** Drops keys whose last line is older than a period and which have nothing suppressed. */
    public void prune() {
        long now = nanoTime.getAsLong();
        windows.values().removeIf(w -> now - w.lastLogged.get() > periodNanos && w.suppressed.get() == 0);
    }

    private static final class Window {
        private final AtomicLong lastLogged;
        private final AtomicLong suppressed = new AtomicLong();

        Window(long lastLogged) {
            this.lastLogged = new AtomicLong(lastLogged);
        }
    }
}
