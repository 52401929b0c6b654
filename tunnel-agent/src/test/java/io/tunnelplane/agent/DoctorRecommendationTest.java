package io.tunnelplane.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DoctorRecommendationTest {
    private static final List<Duration> PERIODS = List.of(Duration.ofSeconds(15), Duration.ofSeconds(30),
            Duration.ofSeconds(60), Duration.ofSeconds(120));

    @Test
    void aPathThatDropsAfterOneMinuteGetsHalfOfTheFirstFailure() {
        assertThat(DoctorCommand.recommend(List.of(true, true, false, false), PERIODS, Duration.ofSeconds(90)))
                .contains("after less than 60 s (idle 30 s survived)").contains("--keepalive-time 30s");
    }

    @Test
    void aServerDefaultThatAlreadyBeatsTheLimitIsKept() {
        assertThat(DoctorCommand.recommend(List.of(true, true, true, false), PERIODS, Duration.ofSeconds(15)))
                .contains("already beats it");
    }

    @Test
    void noDropMeansTheDefaultIsSafeWhenItWasTested() {
        assertThat(DoctorCommand.recommend(List.of(true, true, true, true), PERIODS, Duration.ofSeconds(15)))
                .contains("safe on this path");
        assertThat(DoctorCommand.recommend(List.of(true, true, true, true), PERIODS, Duration.ofSeconds(300)))
                .contains("longer than anything tested");
    }
}
