package io.tunnelplane.protocol.mux;

import io.netty.handler.codec.http2.Http2Error;
import io.tunnelplane.protocol.DisconnectCause;

/**
 * Learns about every GOAWAY on a session, sent or received, including the ones the HTTP/2 codec sends by itself on
 * a connection error (which never reach the pipeline). Called on the session's event loop.
 */
public interface GoAwayListener {
    /** We sent a GOAWAY; {@code cause} is what it means for the session. */
    void sent(DisconnectCause cause, String detail);

    /** The peer sent a GOAWAY. */
    void received(DisconnectCause cause, String detail);

    /**
     * Reads a GOAWAY: NO_ERROR carries our cause name as debug data; INTERNAL_ERROR is what the HTTP/2 codec sends
     * when the connection itself failed under it (a write into a socket the peer reset), so it reads as a reset;
     * any other error code is a protocol error.
     */
    static DisconnectCause causeOf(long errorCode, String debugData) {
        if (errorCode == Http2Error.INTERNAL_ERROR.code()) {
            return DisconnectCause.PEER_RESET;
        }
        if (errorCode != 0) {
            return DisconnectCause.PROTOCOL_ERROR;
        }
        return GoAwayReason.parse(debugData).cause();
    }
}
