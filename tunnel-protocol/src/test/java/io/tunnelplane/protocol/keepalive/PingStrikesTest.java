package io.tunnelplane.protocol.keepalive;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PingStrikesTest {
    private long now;
    private final PingStrikes strikes = new PingStrikes(Duration.ofSeconds(5), 2, () -> now);

    private void advanceMillis(long millis) {
        now += millis * 1_000_000;
    }

    @Test
    void pingsAtTheAgreedIntervalNeverStrike() {
        for (int i = 0; i < 100; i++) {
            assertThat(strikes.onPing()).isFalse();
            advanceMillis(5_000);
        }
        assertThat(strikes.strikes()).isZero();
    }

    @Test
    void aPeerThatPingsTooOftenIsStoppedAfterItsStrikes() {
        assertThat(strikes.onPing()).isFalse();
        advanceMillis(1_000);
        assertThat(strikes.onPing()).isFalse(); // strike 1
        advanceMillis(1_000);
        assertThat(strikes.onPing()).isFalse(); // strike 2
        advanceMillis(1_000);
        assertThat(strikes.onPing()).isTrue(); // strike 3: too many
    }

    @Test
    void slightlyEarlyTimersAreTolerated() {
        strikes.onPing();
        advanceMillis(4_700);
        assertThat(strikes.onPing()).isFalse();
        assertThat(strikes.strikes()).isZero();
    }
}
