package io.tunnelplane.protocol.handshake;

/**
 * A client token as handed to an agent: {@code <client-id>.<secret>}. The id part tells the server which client is
 * logging in; only the whole token (through {@link TokenProof#keyOf}) authenticates it.
 */
public record AgentToken(String clientId, String value) {

    public static AgentToken parse(String token) {
        if (token == null) {
            throw new IllegalArgumentException("token is missing");
        }
        String trimmed = token.strip();
        int dot = trimmed.indexOf('.');
        if (dot <= 0 || dot == trimmed.length() - 1) {
            throw new IllegalArgumentException("token must look like <client-id>.<secret>");
        }
        return new AgentToken(trimmed.substring(0, dot), trimmed);
    }

    public byte[] key() {
        return TokenProof.keyOf(value);
    }

    @Override
    public String toString() {
        return "AgentToken[clientId=" + clientId + ", value=****]";
    }
}
