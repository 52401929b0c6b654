package io.tunnelplane.protocol.handshake;

import io.tunnelplane.protocol.tls.KeyPin;

/**
 * A client token as handed to an agent: {@code <client-id>.<secret>}, optionally followed by {@code ~<key pin>},
 * the server's TLS key pin, so that one string both authenticates the agent and lets it verify the server. The id
 * part tells the server which client is logging in; only {@link #value} (without the pin, which is public)
 * authenticates it, through {@link TokenProof#keyOf}.
 *
 * @param serverPin the pinned server key, or null when the token carries none
 */
public record AgentToken(String clientId, String value, String serverPin) {
    public static final char PIN_SEPARATOR = '~';

    public static AgentToken parse(String token) {
        if (token == null) {
            throw new IllegalArgumentException("token is missing");
        }
        String trimmed = token.strip();
        String pin = null;
        int tilde = trimmed.lastIndexOf(PIN_SEPARATOR);
        if (tilde >= 0) {
            pin = trimmed.substring(tilde + 1);
            trimmed = trimmed.substring(0, tilde);
            if (!KeyPin.isValid(pin)) {
                throw new IllegalArgumentException("the part after '~' must be the server's 43-character key pin");
            }
        }
        int dot = trimmed.indexOf('.');
        if (dot <= 0 || dot == trimmed.length() - 1) {
            throw new IllegalArgumentException("token must look like <client-id>.<secret>[~<server key pin>]");
        }
        return new AgentToken(trimmed.substring(0, dot), trimmed, pin);
    }

    /** The token an agent is given: the secret token with the server's key pin appended when there is one. */
    public static String withPin(String token, String pin) {
        return pin == null ? token : token + PIN_SEPARATOR + pin;
    }

    public byte[] key() {
        return TokenProof.keyOf(value);
    }

    @Override
    public String toString() {
        return "AgentToken[clientId=" + clientId + ", value=****, serverPin=" + serverPin + "]";
    }
}
