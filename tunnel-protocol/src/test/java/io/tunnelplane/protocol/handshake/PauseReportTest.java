package io.tunnelplane.protocol.handshake;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.tunnelplane.protocol.DisconnectCause;
import io.tunnelplane.protocol.ProtocolVersion;
import org.junit.jupiter.api.Test;

class PauseReportTest {
    private final PauseReport report = new PauseReport("cc6e5235-43f9-49e0-aaf4-91a623c00ba8", 1_800_000_000_000L,
            2_458, "frozen");

    @Test
    void theReportRidesTheLoginsPreviousCauseAndComesBackWhole() {
        Login login = new Login(ProtocolVersion.CURRENT, "laptop", TokenProof.newNonce(), new byte[32], "1.0",
                report.appendTo("agent_suspended"), 1, 0, 0, 0, new AgentHost("Linux", "17", "laptop"), "c1", 2);
        ByteBuf frame = HandshakeCodec.encode(login, ByteBufAllocator.DEFAULT);
        try {
            frame.skipBytes(4);
            Login decoded = (Login) HandshakeCodec.decode(frame);
            assertThat(PauseReport.in(decoded.previousCause())).contains(report);
            // What any server reads as the cause: the name before the details.
            assertThat(DisconnectCause.fromWire(decoded.previousCause())).isEqualTo(DisconnectCause.AGENT_SUSPENDED);
        } finally {
            frame.release();
        }
    }

    @Test
    void aPlainCauseOrAMalformedReportCarriesNoReport() {
        assertThat(PauseReport.in("keepalive_timeout")).isEmpty();
        assertThat(PauseReport.in(null)).isEmpty();
        assertThat(PauseReport.in("agent_suspended;paused-session=s1;paused-at=x;paused-ms=5;pause-kind=frozen"))
                .isEmpty();
        assertThat(PauseReport.in("agent_suspended;paused-at=1;paused-ms=5;pause-kind=frozen")).isEmpty();
        assertThat(DisconnectCause.fromWire("no_such_cause;paused-ms=5")).isEqualTo(DisconnectCause.PEER_CLOSED);
    }

    @Test
    void separatorsInsideAFieldCannotForgeAnother() {
        PauseReport odd = new PauseReport("s;paused-ms=1", 5, 7, "frozen");
        assertThat(PauseReport.in(odd.appendTo("agent_suspended")))
                .hasValueSatisfying(parsed -> assertThat(parsed.pausedMillis()).isEqualTo(7));
    }
}
