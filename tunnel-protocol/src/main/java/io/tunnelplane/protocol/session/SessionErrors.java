package io.tunnelplane.protocol.session;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http2.Http2Exception;
import io.tunnelplane.protocol.ProtocolException;
import java.io.IOException;

/**
 * Tells a session's errors apart: the network's and the peer's (a reset, a failed TLS record, a malformed frame)
 * are explained by the disconnect line's cause and message; anything else is our own bug and deserves its stack.
 */
public final class SessionErrors {
    private static final int MAX_CAUSES = 8;

    private SessionErrors() {
    }

    /**
     * Whether {@code error}, or one of the exceptions it wraps, is an I/O failure or a protocol violation. A decoder's
     * own complaint about its input (a {@link DecoderException} without a cause: not TLS, a corrupt or oversized
     * frame) is the peer's; one that wraps another exception carries what our code threw while decoding.
     */
    public static boolean isNetworkOrPeer(Throwable error) {
        Throwable current = error;
        for (int depth = 0; current != null && depth < MAX_CAUSES; depth++) {
            if (current instanceof IOException || current instanceof Http2Exception
                    || current instanceof ProtocolException
                    || current instanceof DecoderException && current.getCause() == null) {
                return true;
            }
            current = current.getCause();
        }
        return false;
    }
}
