package io.tunnelplane.protocol.pause;

import java.time.Duration;
import java.time.Instant;

/**
 * A stretch of time in which this process did not run.
 *
 * @param startedAt  wall-clock time the pause began
 * @param length     how long nothing ran
 * @param kind       what the clocks say happened
 * @param endedNanos {@link System#nanoTime()} when it was noticed, to compare with other monotonic instants
 */
public record Pause(Instant startedAt, Duration length, Kind kind, long endedNanos) {
    public enum Kind {
        /** The monotonic clock ran on but this process did not: a GC pause, SIGSTOP, CPU starvation, a VM freeze. */
        FROZEN,
        /** The wall clock jumped ahead of the monotonic clock: the host slept (a laptop suspend) or was restored. */
        SUSPENDED,
        /** Only this session's event loop did not run: a task blocked it. */
        LOOP_STALLED;

        public String words() {
            return switch (this) {
                case FROZEN -> "the process did not run (GC pause, SIGSTOP, CPU starvation or a VM freeze)";
                case SUSPENDED -> "the host slept (suspend or a restored snapshot)";
                case LOOP_STALLED -> "the session's event loop did not run (a blocking task)";
            };
        }

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** Parses a wire name; an unknown one (from a newer peer) reads as {@link #FROZEN}. */
        public static Kind fromWire(String name) {
            for (Kind kind : values()) {
                if (kind.wireName().equals(name)) {
                    return kind;
                }
            }
            return FROZEN;
        }
    }

    public String describe() {
        return "paused " + millis(length) + " from " + startedAt + ": " + kind.words();
    }

    static String millis(Duration d) {
        return d.toMillis() < 10_000 ? d.toMillis() + " ms" : d.toSeconds() + " s";
    }
}
