package io.tunnelplane.protocol.mux;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http2.Http2Error;
import io.tunnelplane.protocol.DisconnectCause;
import org.junit.jupiter.api.Test;

class GoAwayListenerTest {
    @Test
    void aGoAwayReadsAsTheCauseItCarriesOrTheErrorItNames() {
        assertThat(GoAwayListener.causeOf(0, "server_shutdown;reconnect-within=10")).isEqualTo(
                DisconnectCause.SERVER_SHUTDOWN);
        assertThat(GoAwayListener.causeOf(Http2Error.PROTOCOL_ERROR.code(), "bad frame"))
                .isEqualTo(DisconnectCause.PROTOCOL_ERROR);
        assertThat(GoAwayListener.causeOf(Http2Error.FRAME_SIZE_ERROR.code(), "too big"))
                .isEqualTo(DisconnectCause.PROTOCOL_ERROR);
        // What the codec sends when a write fails because the peer reset the connection: not a protocol error.
        assertThat(GoAwayListener.causeOf(Http2Error.INTERNAL_ERROR.code(),
                "sendAddress(..) failed with error(-32): Broken pipe")).isEqualTo(DisconnectCause.PEER_RESET);
    }
}
