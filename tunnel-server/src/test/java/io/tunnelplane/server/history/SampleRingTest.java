package io.tunnelplane.server.history;

import static org.assertj.core.api.Assertions.assertThat;

import io.tunnelplane.control.runtime.TrafficSample;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SampleRingTest {
    private static final Instant T0 = Instant.parse("2026-12-03T12:00:00Z");

    @Test
    void keepsTheNewestSamplesOldestFirstOnceItWraps() {
        SampleRing ring = new SampleRing(3);
        for (int i = 0; i < 5; i++) {
            ring.add(T0.plusSeconds(10L * i), 1_000L + i, i, 10L * i);
        }
        assertThat(ring.samples()).extracting(TrafficSample::bytesInPerSecond).containsExactly(2L, 3L, 4L);
        assertThat(ring.samples().get(0).at()).isEqualTo(T0.plusSeconds(20));
        assertThat(ring.newest()).isEqualTo(new TrafficSample(T0.plusSeconds(40), 1_004L, 4, 40));
    }

    @Test
    void anUnmeasuredRttStaysUnknownAndHugeRatesSaturate() {
        SampleRing ring = new SampleRing(2);
        ring.add(T0, null, 5_000_000_000L, -3);
        TrafficSample sample = ring.newest();
        assertThat(sample.rttMicros()).isNull();
        assertThat(sample.bytesInPerSecond()).isEqualTo(Integer.MAX_VALUE);
        assertThat(sample.bytesOutPerSecond()).isZero();
    }

    @Test
    void anEmptyRingHasNoNewestSample() {
        assertThat(new SampleRing(4).newest()).isNull();
        assertThat(new SampleRing(4).samples()).isEmpty();
    }
}
