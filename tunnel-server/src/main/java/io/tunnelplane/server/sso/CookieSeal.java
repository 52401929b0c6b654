package io.tunnelplane.server.sso;

import io.tunnelplane.control.sso.SignOnKeys.SignOnKey;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals cookie values with AES-256-GCM under the shared key ring: what the visitor holds can be neither read nor
 * changed, and opens only for the purpose and host it was sealed for (both are the cipher's associated data, so a
 * cookie of one site replayed on another fails). A value is {@code <key id>.<base64url(nonce | ciphertext+tag)>};
 * the newest active key seals, every kept key opens. Cheap enough for the event loop (a microsecond or two).
 */
final class CookieSeal {
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private volatile Map<Long, SecretKeySpec> keys = Map.of();
    private volatile long sealingKey = -1;

    /** Takes the keys read from the database: the newest whose {@code activeFrom} has come seals from now on. */
    void keys(List<SignOnKey> ring, Instant now) {
        Map<Long, SecretKeySpec> byId = new TreeMap<>();
        long sealing = -1;
        for (SignOnKey key : ring) {
            byId.put(key.id(), new SecretKeySpec(key.secret(), "AES"));
            if (!key.activeFrom().isAfter(now) && key.id() > sealing) {
                sealing = key.id();
            }
        }
        keys = Map.copyOf(byId);
        sealingKey = sealing;
    }

    boolean ready() {
        return sealingKey >= 0;
    }

    String seal(String purpose, String host, String plaintext) {
        long id = sealingKey;
        SecretKeySpec key = keys.get(id);
        if (key == null) {
            throw new IllegalStateException("no sign-on cookie key has been read from the database yet");
        }
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(associated(purpose, host));
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            return id + "." + ENCODER.encodeToString(ByteBuffer.allocate(nonce.length + sealed.length).put(nonce)
                    .put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    /** The plaintext, or null when the value is malformed, changed, sealed for something else or by a gone key. */
    String open(String purpose, String host, String value) {
        int dot = value.indexOf('.');
        if (dot < 1) {
            return null;
        }
        SecretKeySpec key;
        byte[] sealed;
        try {
            key = keys.get(Long.parseLong(value.substring(0, dot)));
            sealed = DECODER.decode(value.substring(dot + 1));
        } catch (IllegalArgumentException malformed) {
            return null;
        }
        if (key == null || sealed.length < NONCE_BYTES + TAG_BITS / 8) {
            return null;
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE_BYTES));
            cipher.updateAAD(associated(purpose, host));
            return new String(cipher.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES),
                    StandardCharsets.UTF_8);
        } catch (GeneralSecurityException tamperedOrForeign) {
            return null;
        }
    }

    private static byte[] associated(String purpose, String host) {
        return (purpose + "\n" + host).getBytes(StandardCharsets.UTF_8);
    }
}
