package io.tunnelplane.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void ceilingDoublesPerFailureUpToTheCap() {
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), () -> 1.0);
        assertThat(backoff.ceiling(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.ceiling(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.ceiling(5)).isEqualTo(Duration.ofSeconds(16));
        assertThat(backoff.ceiling(6)).isEqualTo(Duration.ofSeconds(30));
        assertThat(backoff.ceiling(1_000)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void fullJitterSpreadsAFleetOverTheWholeWindow() {
        Random random = new Random(42);
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), random::nextDouble);
        Set<Long> secondBuckets = new HashSet<>();
        for (int agent = 0; agent < 10_000; agent++) {
            Duration delay = backoff.delay(10);
            assertThat(delay).isBetween(Duration.ZERO, Duration.ofSeconds(30));
            secondBuckets.add(delay.toSeconds());
        }
        // 10 000 agents land in every one-second slot of the 30 s window, not in lockstep.
        assertThat(secondBuckets).hasSize(30);
    }

    @Test
    void aFleetToldToSpreadOverTenSecondsDoesSo() {
        Random random = new Random(7);
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), random::nextDouble);
        int[] perSecond = new int[10];
        for (int agent = 0; agent < 10_000; agent++) {
            Duration delay = backoff.promptDelay(Duration.ofSeconds(10));
            assertThat(delay).isLessThan(Duration.ofSeconds(10));
            perSecond[(int) delay.toSeconds()]++;
        }
        // About 1 000 logins in each second of the window instead of 10 000 in the first one.
        for (int count : perSecond) {
            assertThat(count).isBetween(850, 1150);
        }
    }

    @Test
    void promptDelayStaysWithinTheBaseInterval() {
        Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), () -> 0.999);
        assertThat(backoff.promptDelay()).isLessThan(Duration.ofMillis(500));
    }
}
