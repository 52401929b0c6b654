package io.tunnelplane.protocol.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.ssl.NotSslRecordException;
import io.tunnelplane.protocol.ProtocolException;
import java.io.IOException;
import java.net.SocketException;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;

class SessionErrorsTest {
    @Test
    void failuresOfTheNetworkOrThePeerAreExplainedByTheirCause() {
        assertThat(SessionErrors.isNetworkOrPeer(new SocketException("Connection reset"))).isTrue();
        assertThat(SessionErrors.isNetworkOrPeer(new DecoderException(new SSLException("bad record mac")))).isTrue();
        assertThat(SessionErrors.isNetworkOrPeer(Http2Exception.connectionError(Http2Error.FRAME_SIZE_ERROR, "big")))
                .isTrue();
        assertThat(SessionErrors.isNetworkOrPeer(new ProtocolException("stream did not start with HEADERS"))).isTrue();
        assertThat(SessionErrors.isNetworkOrPeer(new NotSslRecordException("not an SSL/TLS record"))).isTrue();
    }

    @Test
    void anythingElseIsOurOwnBug() {
        assertThat(SessionErrors.isNetworkOrPeer(new NullPointerException())).isFalse();
        assertThat(SessionErrors.isNetworkOrPeer(new DecoderException(new IllegalStateException("refCnt: 0"))))
                .isFalse();
        assertThat(SessionErrors.isNetworkOrPeer(new OutOfMemoryError("Direct buffer memory"))).isFalse();
    }

    @Test
    void aCauseChainThatLoopsEnds() {
        IllegalStateException first = new IllegalStateException("first");
        RuntimeException second = new RuntimeException("second", first);
        first.initCause(second);
        assertThat(SessionErrors.isNetworkOrPeer(first)).isFalse();
        assertThat(SessionErrors.isNetworkOrPeer(new RuntimeException(new IOException("deep")))).isTrue();
    }
}
