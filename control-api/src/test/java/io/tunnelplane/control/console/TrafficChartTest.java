package io.tunnelplane.control.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.tunnelplane.control.runtime.TrafficSample;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrafficChartTest {
    private static final Instant NOW = Instant.parse("2026-12-03T12:30:00Z");
    private static final Duration WINDOW = Duration.ofMinutes(30);

    @Test
    void placesSamplesByTimeOnOneScaleUpToThePeak() {
        TrafficChart chart = TrafficChart.of(List.of(
                new TrafficSample(NOW.minus(WINDOW).minusSeconds(10), 1_000L, 9_999_999, 0),
                new TrafficSample(NOW.minus(Duration.ofMinutes(15)), 1_000L, 500, 1_000),
                new TrafficSample(NOW, null, 250, 0)), NOW, WINDOW);
        assertThat(chart.samples()).as("older than the window: left out").isEqualTo(2);
        assertThat(chart.peak()).isEqualTo(1_000);
        assertThat(chart.inPoints()).isEqualTo("50.0,50.0 100.0,75.0");
        assertThat(chart.outPoints()).isEqualTo("50.0,0.0 100.0,100.0");
        assertThat(chart.rttPoints()).as("only measured RTTs, 1 ms on the log scale").isEqualTo("50.0,80.0 50.0,80.0");
        assertThat(chart.newestIn()).isEqualTo(250);
        assertThat(chart.worstRttMicros()).isEqualTo(1_000L);
    }

    @Test
    void noSamplesDrawNothing() {
        TrafficChart chart = TrafficChart.of(List.of(), NOW, WINDOW);
        assertThat(chart.samples()).isZero();
        assertThat(chart.inPoints()).isEmpty();
        assertThat(chart.worstRttMicros()).isNull();
    }
}
