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

    public AdminTokens(ControlPlaneProperties properties, ApiTokenRepository tokens, TransactionTemplate tx,
            Clock clock) {
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

    /** Constant-time check of a presented bearer token. */
    public boolean isAdmin(String presented) {
        if (presented == null || presented.isEmpty()) {
            return false;
        }
        byte[] candidate = hash(presented);
        boolean match = false;
        for (byte[] accepted : acceptedHashes) {
            match |= MessageDigest.isEqual(accepted, candidate);
        }
        return match;
    }

    static byte[] hash(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
