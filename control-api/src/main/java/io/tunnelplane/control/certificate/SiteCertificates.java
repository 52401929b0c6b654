package io.tunnelplane.control.certificate;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The certificates of the domains the server ends TLS for, the ACME account and the HTTP-01 answers under way, in
 * the shared database (plain SQL for H2 and PostgreSQL): every node serves every certificate, a restart re-issues
 * nothing, and only the node that claims a domain ({@link #claim}) orders for it.
 */
@Repository
public class SiteCertificates {
    public static final String ACME = "acme";
    public static final String UPLOAD = "upload";
    private static final String COLUMNS = "domain, certificate_chain, private_key, issuer, not_before, not_after, "
            + "source, failures, last_error, next_attempt, updated_at";

    private final JdbcTemplate jdbc;

    public SiteCertificates(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * A domain's row: its certificate (chain and key as PEM, null until one is issued) and, for ACME, how the
     * last attempt went and when the next may start.
     */
    public record StoredCertificate(String domain, String chainPem, String keyPem, String issuer, Instant notBefore,
            Instant notAfter, String source, int failures, String lastError, Instant nextAttempt, Instant updatedAt) {

        public boolean issued() {
            return chainPem != null && keyPem != null;
        }
    }

    /** The ACME account of a directory: its key pair (PEM) and URL. */
    public record AcmeAccount(String keyPairPem, String accountUrl) {
    }

    /** Every domain of an enabled https proxy that ends TLS at the server, whichever client and node. */
    public Set<String> terminatedDomains() {
        Set<String> domains = new TreeSet<>();
        for (String joined : jdbc.queryForList("select custom_domains from proxy where type = 'https' and tls_mode ="
                + " 'terminate' and enabled = true and custom_domains is not null", String.class)) {
            domains.addAll(Arrays.asList(joined.split(",")));
        }
        return domains;
    }

    public List<StoredCertificate> all() {
        return jdbc.query("select " + COLUMNS + " from site_certificate order by domain", SiteCertificates::row);
    }

    public Optional<StoredCertificate> find(String domain) {
        return jdbc.query("select " + COLUMNS + " from site_certificate where domain = ?", SiteCertificates::row,
                domain).stream().findFirst();
    }

    /**
     * Takes the domain's next ACME attempt for this node until {@code until}, if it is due (or the domain is new).
     * False when another node holds it, it is backing off, or its certificate was uploaded.
     */
    public boolean claim(String domain, Instant now, Instant until) {
        try {
            jdbc.update("insert into site_certificate (domain, source, failures, next_attempt, updated_at)"
                    + " values (?, ?, 0, ?, ?)", domain, ACME, ts(until), ts(now));
            return true;
        } catch (DuplicateKeyException known) {
            return jdbc.update("update site_certificate set next_attempt = ? where domain = ? and source = ?"
                    + " and (next_attempt is null or next_attempt <= ?)", ts(until), domain, ACME, ts(now)) == 1;
        }
    }

    /** Stores a certificate (issued or uploaded): any earlier failure and back-off is forgotten. */
    public void store(String domain, String chainPem, String keyPem, String issuer, Instant notBefore,
            Instant notAfter, String source, Instant now) {
        int updated = jdbc.update("update site_certificate set certificate_chain = ?, private_key = ?, issuer = ?,"
                + " not_before = ?, not_after = ?, source = ?, failures = 0, last_error = null, next_attempt = null,"
                + " updated_at = ? where domain = ?", chainPem, keyPem, issuer, ts(notBefore), ts(notAfter), source,
                ts(now), domain);
        if (updated == 0) {
            jdbc.update("insert into site_certificate (" + COLUMNS + ") values (?, ?, ?, ?, ?, ?, ?, 0, null, null, ?)",
                    domain, chainPem, keyPem, issuer, ts(notBefore), ts(notAfter), source, ts(now));
        }
    }

    /** Records a failed attempt: the error an operator sees, and when the next one may start. */
    public void failed(String domain, String error, int failures, Instant nextAttempt, Instant now) {
        jdbc.update("update site_certificate set failures = ?, last_error = ?, next_attempt = ?, updated_at = ?"
                + " where domain = ?", failures, error.length() > 2000 ? error.substring(0, 2000) : error,
                ts(nextAttempt), ts(now), domain);
    }

    public boolean delete(String domain) {
        return jdbc.update("delete from site_certificate where domain = ?", domain) == 1;
    }

    public Optional<AcmeAccount> account(String directoryUrl) {
        return jdbc.query("select key_pair, account_url from acme_account where directory_url = ?",
                (rs, n) -> new AcmeAccount(rs.getString(1), rs.getString(2)), directoryUrl).stream().findFirst();
    }

    /** Keeps the account's key (first writer wins: a node that lost the race reads the stored one). */
    public AcmeAccount saveAccount(String directoryUrl, String keyPairPem) {
        try {
            jdbc.update("insert into acme_account (directory_url, key_pair) values (?, ?)", directoryUrl, keyPairPem);
        } catch (DuplicateKeyException anotherNodeFirst) {
            // Its key is the account's.
        }
        return account(directoryUrl).orElseThrow();
    }

    public void accountUrl(String directoryUrl, String accountUrl) {
        jdbc.update("update acme_account set account_url = ? where directory_url = ?", accountUrl, directoryUrl);
    }

    public void putChallenge(String token, String keyAuthorization, Instant expiresAt) {
        jdbc.update("delete from acme_challenge where token = ? or expires_at < ?", token, ts(Instant.now()));
        jdbc.update("insert into acme_challenge (token, key_authorization, expires_at) values (?, ?, ?)", token,
                keyAuthorization, ts(expiresAt));
    }

    public Optional<String> challenge(String token, Instant now) {
        return jdbc.queryForList("select key_authorization from acme_challenge where token = ? and expires_at > ?",
                String.class, token, ts(now)).stream().findFirst();
    }

    public void removeChallenge(String token) {
        jdbc.update("delete from acme_challenge where token = ?", token);
    }

    private static StoredCertificate row(ResultSet rs, int n) throws SQLException {
        return new StoredCertificate(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                instant(rs.getTimestamp(5)), instant(rs.getTimestamp(6)), rs.getString(7), rs.getInt(8),
                rs.getString(9), instant(rs.getTimestamp(10)), instant(rs.getTimestamp(11)));
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }

    private static Timestamp ts(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }
}
