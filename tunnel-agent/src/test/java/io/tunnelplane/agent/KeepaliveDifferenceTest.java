package io.tunnelplane.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class KeepaliveDifferenceTest {
    private static final Duration S15 = Duration.ofSeconds(15);

    @Test
    void nothingToSayWhenNothingWasAskedOrAllWasGranted() {
        assertThat(KeepaliveDifference.describe(null, null, S15, S15)).isEmpty();
        assertThat(KeepaliveDifference.describe(Duration.ofSeconds(5), null, Duration.ofSeconds(5), S15)).isEmpty();
    }

    @Test
    void aTimeRaisedToTheServersMinimumSaysSo() {
        assertThat(KeepaliveDifference.describe(Duration.ofMillis(200), null, Duration.ofSeconds(1), S15))
                .hasValueSatisfying(line -> assertThat(line)
                        .contains("keepalive-time 200ms asked, 1000ms enforced")
                        .contains("tunnel.server.keepalive.min-time")
                        .doesNotContain("keepalive-timeout"));
    }

    @Test
    void aTimeoutBelowTheProtocolMinimumSaysSo() {
        assertThat(KeepaliveDifference.describe(null, Duration.ofMillis(50), S15, Duration.ofMillis(100)))
                .hasValueSatisfying(line -> assertThat(line)
                        .contains("keepalive-timeout 50ms asked, 100ms enforced (below the protocol's minimum)"));
    }
}
