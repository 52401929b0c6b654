package io.tunnelplane.protocol.pause;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The watchdog on fake clocks: each beat's gap decides, no sleeping. */
class PauseWatchdogTest {
    private long nanos = 5_000_000_000L;
    private long wallMillis = 1_800_000_000_000L;
    private final PauseWatchdog watchdog = new PauseWatchdog(() -> nanos, () -> wallMillis, Duration.ofSeconds(1));
    private final List<Pause> heard = new ArrayList<>();

    PauseWatchdogTest() {
        watchdog.onPause(heard::add);
    }

    private void run(long monotonicMillis, long wallMillisElapsed) {
        nanos += monotonicMillis * 1_000_000;
        wallMillis += wallMillisElapsed;
        watchdog.beat();
    }

    @Test
    void beatsOnTimeOrSomewhatLateAreNoPause() {
        for (int i = 0; i < 50; i++) {
            run(100, 100);
        }
        run(900, 900); // 800 ms late: a loaded host, not a pause
        assertThat(heard).isEmpty();
        assertThat(watchdog.count()).isZero();
    }

    @Test
    void anOversleepOnBothClocksIsAFrozenProcess() {
        run(100, 100);
        run(6_100, 6_100);
        assertThat(heard).singleElement().satisfies(pause -> {
            assertThat(pause.kind()).isEqualTo(Pause.Kind.FROZEN);
            assertThat(pause.length()).isEqualTo(Duration.ofSeconds(6));
            assertThat(pause.startedAt().toEpochMilli()).isEqualTo(1_800_000_000_100L);
        });
        assertThat(watchdog.count()).isEqualTo(1);
    }

    @Test
    void aWallClockJumpTheMonotonicClockDidNotSeeIsASuspendedHost() {
        run(100, 30_100); // the monotonic clock stands still while the host sleeps
        assertThat(heard).singleElement().satisfies(pause -> {
            assertThat(pause.kind()).isEqualTo(Pause.Kind.SUSPENDED);
            assertThat(pause.length()).isEqualTo(Duration.ofSeconds(30));
        });
    }

    @Test
    void aSessionEndingSoonAfterALongEnoughPauseIsExplainedByIt() {
        run(8_100, 8_100);
        long pauseNoticed = nanos;
        Duration patience = Duration.ofSeconds(4);
        assertThat(watchdog.explaining(pauseNoticed + 1_000_000_000L, patience)).isPresent();
        // Later than the peer's patience plus the settling margin: something else ended it.
        assertThat(watchdog.explaining(pauseNoticed + patience.plus(PauseWatchdog.SETTLE).toNanos() + 1, patience))
                .isEmpty();
        // A pause shorter than half the peer's patience cannot have made the peer give up.
        assertThat(watchdog.explaining(pauseNoticed, Duration.ofSeconds(20))).isEmpty();
    }

    @Test
    void aPauseNotYetNoticedByTheWatchdogStillExplainsASessionEndingNow() {
        run(100, 100);
        nanos += 5_000_000_000L; // frozen; the session's thread runs before the watchdog's next beat
        wallMillis += 5_000;
        assertThat(watchdog.explaining(nanos, Duration.ofSeconds(2)))
                .hasValueSatisfying(pause -> assertThat(pause.length()).isGreaterThanOrEqualTo(Duration.ofSeconds(4)));
        assertThat(heard).as("only a beat records").isEmpty();
    }
}
