package io.tunnelplane.control.client;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Client tokens: {@code <client-name>.<43 characters of base64url>} (256 random bits). Only the key derived from
 * the token is stored. The derivation is the wire contract of the login proof (the protocol's
 * {@code TokenProof.keyOf}); a test in the server module checks both agree.
 */
public final class ClientTokens {
    private static final SecureRandom RANDOM = new SecureRandom();

    private ClientTokens() {
    }

    public static String newToken(String clientName) {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        return clientName + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    /** Hex of SHA-256("tunnelplane-token-v1:" + token). */
    public static String keyHex(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(("tunnelplane-token-v1:" + token).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
