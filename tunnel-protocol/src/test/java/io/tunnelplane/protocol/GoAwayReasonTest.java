package io.tunnelplane.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.tunnelplane.protocol.mux.GoAwayReason;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class GoAwayReasonTest {
    @Test
    void causeAndSpreadRoundTrip() {
        GoAwayReason reason = new GoAwayReason(DisconnectCause.SERVER_SHUTDOWN, Duration.ofSeconds(12));
        assertThat(reason.encode()).isEqualTo("server_shutdown;reconnect-within=12000");
        assertThat(GoAwayReason.parse(reason.encode())).isEqualTo(reason);
    }

    @Test
    void plainCausesAndGarbageDegradeGracefully() {
        assertThat(GoAwayReason.parse("kicked")).isEqualTo(GoAwayReason.of(DisconnectCause.KICKED));
        assertThat(GoAwayReason.parse("")).isEqualTo(GoAwayReason.of(DisconnectCause.GO_AWAY));
        assertThat(GoAwayReason.parse("server_shutdown;reconnect-within=soon").reconnectWithin()).isZero();
        assertThat(GoAwayReason.parse("server_shutdown;reconnect-within=999999999").reconnectWithin())
                .isEqualTo(Duration.ofMinutes(10));
    }
}
