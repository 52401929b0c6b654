package io.tunnelplane.control.sso;

import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The keys that seal visitors' sign-on cookies, in the shared database so that a cookie one node sealed opens on
 * every other. A new key seals only from {@link #ACTIVATION} after its creation, by when every node has read it
 * (they re-read every {@code 20 s}); older keys keep opening the cookies they sealed until those expired, then go.
 */
@Repository
public class SignOnKeys {
    /** How long after its creation a rotated key starts sealing: nodes re-read the keys well within it. */
    public static final Duration ACTIVATION = Duration.ofMinutes(1);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final JdbcTemplate jdbc;

    public SignOnKeys(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** A key: 32 random bytes for AES-256-GCM. */
    public record SignOnKey(long id, byte[] secret, Instant createdAt, Instant activeFrom) {
    }

    /** Every key kept, oldest first. */
    public List<SignOnKey> all() {
        return jdbc.query("select id, secret, created_at, active_from from sso_key order by id",
                (rs, row) -> new SignOnKey(rs.getLong(1), Base64.getDecoder().decode(rs.getString(2)),
                        rs.getTimestamp(3).toInstant(), rs.getTimestamp(4).toInstant()));
    }

    /** The first key, active at once, unless there is one (two nodes starting together agree on key 1). */
    public void ensureOne(Instant now) {
        if (jdbc.queryForObject("select count(*) from sso_key", Long.class) > 0) {
            return;
        }
        try {
            insert(1, now, now);
        } catch (DuplicateKeyException anotherNodeFirst) {
            // Its key is the one.
        }
    }

    /**
     * A new key that seals from {@link #ACTIVATION} on; keys whose cookies have all expired ({@code lifetime}
     * after the key that followed them became active) are deleted.
     */
    public SignOnKey rotate(Instant now, Duration lifetime) {
        retire(now, lifetime);
        long id = jdbc.queryForObject("select coalesce(max(id), 0) + 1 from sso_key", Long.class);
        return insert(id, now, now.plus(ACTIVATION));
    }

    /** Deletes the keys no unexpired cookie can have been sealed with. */
    public void retire(Instant now, Duration lifetime) {
        List<SignOnKey> keys = all();
        for (int i = 0; i + 1 < keys.size(); i++) {
            if (keys.get(i + 1).activeFrom().plus(lifetime).isBefore(now)) {
                jdbc.update("delete from sso_key where id = ?", keys.get(i).id());
            }
        }
    }

    private SignOnKey insert(long id, Instant now, Instant activeFrom) {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        jdbc.update("insert into sso_key (id, secret, created_at, active_from) values (?, ?, ?, ?)", id,
                Base64.getEncoder().encodeToString(secret), Timestamp.from(now), Timestamp.from(activeFrom));
        return new SignOnKey(id, secret, now, activeFrom);
    }
}
