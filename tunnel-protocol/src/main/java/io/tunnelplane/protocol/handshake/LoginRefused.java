package io.tunnelplane.protocol.handshake;

/**
 * The server refused the login. {@code code} is machine-readable ({@code auth_failed}, {@code protocol_version},
 * {@code limit}); the message is for humans and never says which part of a credential was wrong.
 */
public record LoginRefused(String code, String message) implements HandshakeMessage {
    public static final String AUTH_FAILED = "auth_failed";
    public static final String PROTOCOL_VERSION = "protocol_version";
    public static final String BAD_REQUEST = "bad_request";
}
