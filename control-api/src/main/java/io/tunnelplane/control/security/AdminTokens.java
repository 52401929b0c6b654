package io.tunnelplane.control.security;

import io.tunnelplane.control.ControlPlaneProperties;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The admin bearer token: {@code tunnel.api.admin-token} when configured; otherwise one generated at first start,
 * stored as a hash and printed once (it cannot be shown again: rotate by deleting the row or configuring one).
 */
@Component
public class AdminTokens {
    private static final Logger log = LoggerFactory.getLogger(AdminTokens.class);

    private final List<byte[]> acceptedHashes;
    private final List<byte[]> readOnlyHashes;

    public AdminTokens(ControlPlaneProperties properties, ApiTokenRepository tokens, TransactionTemplate tx,
            Clock clock) {
        readOnlyHashes = properties.readOnlyTokens().stream().filter(t -> !t.isBlank()).map(t -> hash(t.strip()))
                .toList();
        String configured = properties.adminToken();
        if (configured != null && !configured.isBlank()) {
            acceptedHashes = List.of(hash(configured.strip()));
            return;
        }
        acceptedHashes = tx.execute(status -> {
            List<ApiToken> stored = tokens.findByRole(ApiToken.ADMIN);
            if (!stored.isEmpty()) {
                return stored.stream().map(t -> HexFormat.of().parseHex(t.getTokenHash())).toList();
            }
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            String token = "adm_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
            byte[] hash = hash(token);
            tokens.save(new ApiToken(HexFormat.of().formatHex(hash), ApiToken.ADMIN, clock.instant()));
            log.warn("No tunnel.api.admin-token configured: generated an admin API token, shown only this once: {}",
                    token);
            return List.of(hash);
        });
    }

    /** What a presented bearer token may do: {@link Role#ADMIN}, {@link Role#READ_ONLY}, or null (not a token). */
    public Role role(String presented) {
        if (presented == null || presented.isEmpty()) {
            return null;
        }
        byte[] candidate = hash(presented);
        // Compare against every token, hashed, in constant time each: no timing hint of a partial match.
        boolean admin = matchesAny(acceptedHashes, candidate);
        boolean reader = matchesAny(readOnlyHashes, candidate);
        return admin ? Role.ADMIN : reader ? Role.READ_ONLY : null;
    }

    public boolean isAdmin(String presented) {
        return role(presented) == Role.ADMIN;
    }

    private static boolean matchesAny(List<byte[]> hashes, byte[] candidate) {
        boolean match = false;
        for (byte[] accepted : hashes) {
            match |= MessageDigest.isEqual(accepted, candidate);
        }
        return match;
    }

    /** API roles: admins change things, read-only tokens (dashboards, auditors) only look. */
    public enum Role { ADMIN, READ_ONLY }

    static byte[] hash(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
