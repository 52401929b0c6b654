package io.tunnelplane.protocol.handshake;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Challenge-response over the client token: each side proves it knows the token's key by an HMAC over both nonces,
 * so the token itself never crosses the wire and a recorded login cannot be replayed against a new nonce.
 */
public final class TokenProof {
    /**
     * One generator per thread: the platform default (NativePRNG) serialises every caller on one lock, which held
     * the event loops of a server under a reconnect storm for milliseconds per login (docs/benchmarks.md).
     */
    private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(TokenProof::newRandom);
    private static final byte[] AGENT_LABEL = "tunnelplane-agent-proof-v1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SERVER_LABEL = "tunnelplane-server-proof-v1".getBytes(StandardCharsets.US_ASCII);

    private TokenProof() {
    }

    public static byte[] newNonce() {
        byte[] nonce = new byte[HandshakeCodec.NONCE_BYTES];
        RANDOM.get().nextBytes(nonce);
        return nonce;
    }

    private static SecureRandom newRandom() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (GeneralSecurityException e) {
            return new SecureRandom();
        }
    }

    /** Key both sides derive from the token; the server may store only this, never the token. */
    public static byte[] keyOf(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(
                    ("tunnelplane-token-v1:" + token).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    public static byte[] agentProof(byte[] key, String clientId, byte[] serverNonce, byte[] agentNonce) {
        return hmac(key, AGENT_LABEL, clientId.getBytes(StandardCharsets.UTF_8), serverNonce, agentNonce);
    }

    public static byte[] serverProof(byte[] key, String clientId, byte[] serverNonce, byte[] agentNonce) {
        return hmac(key, SERVER_LABEL, clientId.getBytes(StandardCharsets.UTF_8), serverNonce, agentNonce);
    }

    /** Constant-time comparison so that timing does not reveal how much of a proof was right. */
    public static boolean matches(byte[] expected, byte[] actual) {
        return actual != null && MessageDigest.isEqual(expected, actual);
    }

    private static byte[] hmac(byte[] key, byte[]... parts) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            for (byte[] part : parts) {
                mac.update(intBytes(part.length));
                mac.update(part);
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private static byte[] intBytes(int value) {
        return new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
    }
}
