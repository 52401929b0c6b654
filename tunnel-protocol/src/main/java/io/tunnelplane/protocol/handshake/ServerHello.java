package io.tunnelplane.protocol.handshake;

/**
 * First message on a new connection: the server's protocol version, software version, a fresh nonce, and its
 * clock (for the doctor's skew check).
 */
public record ServerHello(int protocolVersion, String serverVersion, byte[] nonce, long serverTimeMillis)
        implements HandshakeMessage {
}
