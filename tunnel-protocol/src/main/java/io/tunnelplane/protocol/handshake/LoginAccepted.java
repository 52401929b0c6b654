package io.tunnelplane.protocol.handshake;

/**
 * The server accepted the login. {@code serverProof} shows the server knows the token too, so an agent never talks
 * to an impostor that merely accepts everything. After this message both sides speak HTTP/2.
 */
public record LoginAccepted(
        String sessionId,
        long keepaliveTimeMillis,
        long keepaliveTimeoutMillis,
        byte[] serverProof) implements HandshakeMessage {
}
