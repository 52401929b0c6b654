package io.tunnelplane.control.runtime;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * How an HTTP proxy's basic-auth password is kept: {@code sha256:<salt>:<digest>}, salted so equal passwords do
 * not look equal. One hash per check is cheap enough to verify every request on an event loop; a slow hash there
 * would let unauthenticated visitors stall the relay. The password itself is never stored or shown.
 */
public final class BasicAuthHash {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String SCHEME = "sha256";

    private BasicAuthHash() {
    }

    public static String hash(String password) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return SCHEME + ":" + b64(salt) + ":" + b64(digest(salt, password));
    }

    /** Whether {@code password} is the one {@code stored} was made from; constant time in the digest. */
    public static boolean matches(String stored, String password) {
        String[] parts = stored.split(":");
        if (parts.length != 3 || !SCHEME.equals(parts[0])) {
            return false;
        }
        byte[] salt = Base64.getUrlDecoder().decode(parts[1]);
        return MessageDigest.isEqual(Base64.getUrlDecoder().decode(parts[2]), digest(salt, password));
    }

    private static byte[] digest(byte[] salt, String password) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(salt);
            return sha.digest(password.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
