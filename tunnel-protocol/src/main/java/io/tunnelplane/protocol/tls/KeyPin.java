package io.tunnelplane.protocol.tls;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * The pin of a server key: base64url(SHA-256(SubjectPublicKeyInfo)), 43 characters. Pinning the public key rather
 * than the whole certificate lets an operator renew the certificate with the same key without re-issuing tokens.
 */
public final class KeyPin {
    private static final Pattern FORMAT = Pattern.compile("[A-Za-z0-9_-]{43}");

    private KeyPin() {
    }

    public static String of(X509Certificate certificate) {
        return of(certificate.getPublicKey());
    }

    public static String of(PublicKey key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    public static boolean isValid(String pin) {
        return pin != null && FORMAT.matcher(pin).matches();
    }

    /** Constant-time comparison, though pins are public: no reason to leak how much matched. */
    static boolean matches(String expected, String actual) {
        return MessageDigest.isEqual(Base64.getUrlDecoder().decode(expected), Base64.getUrlDecoder().decode(actual));
    }
}
