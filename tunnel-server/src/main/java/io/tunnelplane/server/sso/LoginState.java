package io.tunnelplane.server.sso;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a sign-in in progress must remember until the provider sends the visitor back: the {@code state} that ties
 * the answer to this browser, the {@code nonce} the ID token must carry, the PKCE verifier, and where the visitor
 * was going. Kept in a sealed cookie on the site, not in server memory, so the callback may reach any node.
 */
record LoginState(String provider, long proxyId, String state, String nonce, String verifier, String returnTo,
        Instant expires) {
    static final String COOKIE = "__tunnel_login";
    static final Duration LIFETIME = Duration.ofMinutes(10);
    private static final String PURPOSE = "login";
    private static final SecureRandom RANDOM = new SecureRandom();

    static LoginState start(String provider, long proxyId, String returnTo, Instant now) {
        return new LoginState(provider, proxyId, random(), random(), random(), returnTo, now.plus(LIFETIME));
    }

    /** The PKCE challenge (S256) sent with the authorization request. */
    String challenge() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    String seal(CookieSeal seal, String host) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("p", provider);
        fields.put("proxy", Long.toString(proxyId));
        fields.put("state", state);
        fields.put("nonce", nonce);
        fields.put("v", verifier);
        fields.put("to", returnTo);
        fields.put("exp", Long.toString(expires.getEpochSecond()));
        return seal.seal(PURPOSE, host, CookieFields.write(fields));
    }

    /** The sign-in this browser started on {@code host}, or null when there is none (or it is too old). */
    static LoginState open(CookieSeal seal, String host, String value, Instant now) {
        String plain = value == null ? null : seal.open(PURPOSE, host, value);
        if (plain == null) {
            return null;
        }
        Map<String, String> f = CookieFields.read(plain);
        try {
            LoginState login = new LoginState(f.get("p"), Long.parseLong(f.get("proxy")), f.get("state"),
                    f.get("nonce"), f.get("v"), f.get("to"), Instant.ofEpochSecond(Long.parseLong(f.get("exp"))));
            return now.isBefore(login.expires()) && login.state() != null ? login : null;
        } catch (RuntimeException malformed) {
            return null;
        }
    }

    private static String random() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
