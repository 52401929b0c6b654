package io.tunnelplane.protocol.handshake;

/** First message on a new connection: the server's protocol version, software version and a fresh nonce. */
public record ServerHello(int protocolVersion, String serverVersion, byte[] nonce) implements HandshakeMessage {
}
