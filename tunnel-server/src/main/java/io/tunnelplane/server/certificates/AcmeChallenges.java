package io.tunnelplane.server.certificates;

import io.tunnelplane.control.certificate.SiteCertificates;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * The HTTP-01 answers of orders under way ({@code /.well-known/acme-challenge/<token>} on the shared HTTP port):
 * kept here for this node's orders and in the database, so that the CA may reach any node of a cluster.
 */
@Component
public class AcmeChallenges {
    public static final String PATH = "/.well-known/acme-challenge/";
    private static final Duration KEPT = Duration.ofMinutes(10);

    private final SiteCertificates certificates;
    private final Map<String, String> local = new ConcurrentHashMap<>();

    public AcmeChallenges(SiteCertificates certificates) {
        this.certificates = certificates;
    }

    void put(String token, String keyAuthorization) {
        local.put(token, keyAuthorization);
        certificates.putChallenge(token, keyAuthorization, Instant.now().plus(KEPT));
    }

    void remove(String token) {
        local.remove(token);
        certificates.removeChallenge(token);
    }

    /** This node's answer, without waiting (event loop); null when the token is not one of its orders. */
    public String local(String token) {
        return local.get(token);
    }

    /** Any node's answer (blocking: a database read). */
    public Optional<String> shared(String token) {
        return certificates.challenge(token, Instant.now());
    }
}
