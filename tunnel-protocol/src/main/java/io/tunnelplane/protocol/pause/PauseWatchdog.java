package io.tunnelplane.protocol.pause;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * Notices when this process stops running, the way a GC-pause watchdog does: a thread wakes every
 * {@value #BEAT_MILLIS} ms and compares how long it was away on the monotonic clock (it oversleeps when the whole
 * process was frozen: a long GC, SIGSTOP, CPU starvation, a VM freeze) and on the wall clock (it runs ahead of the
 * monotonic clock, which stands still while the host sleeps). A gap of {@link #THRESHOLD} or more is a pause.
 *
 * <p>A peer that gave up on us during our own pause is not a network fault: session ends shortly after a pause are
 * attributed to it ({@link #explaining}). One watchdog per process, since a pause is the process's.
 */
public final class PauseWatchdog {
    /** The shortest gap reported. Ordinary scheduling delay on a loaded host is milliseconds; a second is not. */
    public static final Duration THRESHOLD = Duration.ofSeconds(1);
    static final long BEAT_MILLIS = 100;
    /** Time for a peer's close, sent while we were paused, to be read once we run again. */
    static final Duration SETTLE = Duration.ofSeconds(2);
    private static final long BEAT_NANOS = BEAT_MILLIS * 1_000_000;
    private static final int KEPT = 16;
    private static final AtomicBoolean LOGGING = new AtomicBoolean();

    private final LongSupplier nanos;
    private final LongSupplier wallMillis;
    private final long thresholdNanos;
    private final Deque<Pause> recent = new ArrayDeque<>();
    private final List<Consumer<Pause>> listeners = new CopyOnWriteArrayList<>();
    private volatile long lastBeatNanos;
    private volatile long lastBeatWallMillis;
    private long count;

    PauseWatchdog(LongSupplier nanos, LongSupplier wallMillis, Duration threshold) {
        this.nanos = nanos;
        this.wallMillis = wallMillis;
        this.thresholdNanos = threshold.toNanos();
        this.lastBeatNanos = nanos.getAsLong();
        this.lastBeatWallMillis = wallMillis.getAsLong();
    }

    private static final class Shared {
        static final PauseWatchdog INSTANCE = start();

        private static PauseWatchdog start() {
            PauseWatchdog watchdog = new PauseWatchdog(System::nanoTime, System::currentTimeMillis, THRESHOLD);
            Thread thread = new Thread(() -> {
                while (true) {
                    LockSupport.parkNanos(BEAT_NANOS);
                    watchdog.beat();
                }
            }, "pause-watchdog");
            thread.setDaemon(true);
            thread.setPriority(Thread.MAX_PRIORITY);
            thread.start();
            return watchdog;
        }
    }

    /** This process's watchdog, started on first use. */
    public static PauseWatchdog shared() {
        return Shared.INSTANCE;
    }

    /** Calls {@code listener} on the watchdog's thread for every pause noticed from now on. */
    public void onPause(Consumer<Pause> listener) {
        listeners.add(listener);
    }

    /**
     * Logs every pause of this process once, as {@code who} (the first caller per process names it: in tests the
     * server and agents share one JVM, and so one pause).
     */
    public static void logPauses(Logger log, String who) {
        if (LOGGING.compareAndSet(false, true)) {
            shared().onPause(pause -> log.warn("{} {}; peers may have given up on it meanwhile", who,
                    pause.describe()));
        }
    }



    /** One wake-up: compares both clocks with the previous one. */
    void beat() {
        long now = nanos.getAsLong();
        long wall = wallMillis.getAsLong();
        Pause pause = gap(now, wall);
        lastBeatNanos = now;
        lastBeatWallMillis = wall;
        if (pause != null) {
            synchronized (recent) {
                if (recent.size() == KEPT) {
                    recent.removeFirst();
                }
                recent.addLast(pause);
                count++;
            }
            listeners.forEach(listener -> listener.accept(pause));
        }
    }

    /** The pause between the last beat and {@code now}, or null when there was none. */
    private Pause gap(long now, long wall) {
        long monotonic = now - lastBeatNanos;
        long wallElapsed = (wall - lastBeatWallMillis) * 1_000_000;
        long frozen = monotonic - BEAT_NANOS;
        long slept = wallElapsed - monotonic;
        if (slept >= thresholdNanos) {
            return new Pause(Instant.ofEpochMilli(lastBeatWallMillis), Duration.ofNanos(wallElapsed - BEAT_NANOS),
                    Pause.Kind.SUSPENDED, now);
        }
        if (frozen >= thresholdNanos) {
            return new Pause(Instant.ofEpochMilli(lastBeatWallMillis), Duration.ofNanos(frozen), Pause.Kind.FROZEN,
                    now);
        }
        return null;
    }

    /**
     * The pause that explains a session ending at {@code endNanos}, if any: one of at least {@link #THRESHOLD} and
     * at least half the peer's {@code patience} (its keepalive timeout: a much shorter pause cannot have made it
     * give up), that ended no more than {@code patience} plus a settling margin before. A pause still going on when
     * the session ended (the session's thread ran before this watchdog woke) counts too.
     */
    public Optional<Pause> explaining(long endNanos, Duration patience) {
        long atLeast = Math.max(thresholdNanos, patience.toNanos() / 2);
        long within = patience.plus(SETTLE).toNanos();
        Pause ongoing = gap(nanos.getAsLong(), wallMillis.getAsLong());
        List<Pause> candidates = new ArrayList<>(recent());
        if (ongoing != null) {
            candidates.add(ongoing);
        }
        Pause best = null;
        for (Pause pause : candidates) {
            long sinceEnd = endNanos - pause.endedNanos();
            if (pause.length().toNanos() >= atLeast && sinceEnd <= within && sinceEnd >= -within) {
                best = pause;
            }
        }
        return Optional.ofNullable(best);
    }

    /** The last few pauses, oldest first. */
    public List<Pause> recent() {
        synchronized (recent) {
            return List.copyOf(recent);
        }
    }

    /** The latest pause, if any. */
    public Optional<Pause> last() {
        synchronized (recent) {
            return Optional.ofNullable(recent.peekLast());
        }
    }

    /** Pauses noticed since the process started. */
    public long count() {
        synchronized (recent) {
            return count;
        }
    }
}
