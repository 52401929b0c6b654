package io.tunnelplane.protocol.handshake;

/**
 * Messages exchanged before the connection switches to HTTP/2. The server speaks first with a nonce, the agent
 * proves it holds the token without sending it, and the server answers with the session settings and its own proof.
 */
public sealed interface HandshakeMessage
        permits ServerHello, Login, LoginAccepted, LoginRefused {
}
