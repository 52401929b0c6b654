package io.tunnelplane.server.certificates;

import io.tunnelplane.server.engine.LifecyclePhases;
import io.tunnelplane.control.certificate.Pem;
import io.tunnelplane.control.certificate.SiteCertificates;
import io.tunnelplane.control.certificate.SiteCertificates.StoredCertificate;
import io.tunnelplane.server.config.TunnelServerProperties;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.shredzone.acme4j.Account;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Http01Challenge;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Obtains and renews the certificates of terminating https proxies from the ACME CA
 * ({@code tunnel.server.acme.*}), on a thread of its own: a domain is ordered when it is added (or first needed),
 * renewed when less than {@code renewBefore} is left (a third of its lifetime when that is shorter than
 * {@code renewBefore}), and after a failure tried again
 * only after a back-off that doubles up to {@code retryMax}, so a broken domain never hammers the CA's rate
 * limits. In a cluster the node that claims a domain in the database orders it; every node serves the result.
 */
@Component
public class AcmeIssuer implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger("io.tunnelplane.acme");
    /** How long a node holds a domain while it orders (longer than any order takes). */
    private static final Duration CLAIM = Duration.ofMinutes(10);
    private static final Duration VALIDATION_WAIT = Duration.ofSeconds(90);
    private static final Duration STORE_REFRESH = Duration.ofSeconds(30);

    private final TunnelServerProperties.Acme settings;
    private final SiteCertificates certificates;
    private final CertificateStore store;
    private final AcmeChallenges challenges;
    private final Clock clock;
    private final Set<String> queued = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "acme");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean running;

    public AcmeIssuer(TunnelServerProperties properties, SiteCertificates certificates, CertificateStore store,
            AcmeChallenges challenges, Clock clock) {
        this.settings = properties.acme();
        this.certificates = certificates;
        this.store = store;
        this.challenges = challenges;
        this.clock = clock;
    }

    /** Orders a certificate for {@code domain} soon, unless one is held and not due (never waits). */
    public void wanted(String domain) {
        if (running && queued.add(domain)) {
            worker.execute(() -> {
                queued.remove(domain);
                attempt(domain);
            });
        }
    }

    @Override
    public void start() {
        running = true;
        worker.execute(store::reload);
        worker.scheduleWithFixedDelay(this::checkAll, 0, settings.checkInterval().toMillis(), TimeUnit.MILLISECONDS);
        worker.scheduleWithFixedDelay(store::reload, STORE_REFRESH.toMillis(), STORE_REFRESH.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void checkAll() {
        try {
            certificates.terminatedDomains().forEach(this::attempt);
        } catch (RuntimeException e) {
            log.warn("acme check skipped: {}", e.getMessage());
        }
    }

    /** Whether {@code stored} should be (re)ordered now: none yet, or renewal is due. */
    boolean due(StoredCertificate stored, Instant now) {
        if (SiteCertificates.UPLOAD.equals(stored.source())) {
            return false;
        }
        if (!stored.issued()) {
            return true;
        }
        // renewBefore where it fits the certificate's lifetime; a third of it for short-lived certificates.
        Duration lifetime = Duration.between(stored.notBefore(), stored.notAfter());
        Duration threshold = settings.renewBefore().compareTo(lifetime) < 0 ? settings.renewBefore()
                : lifetime.dividedBy(3);
        return Duration.between(now, stored.notAfter()).compareTo(threshold) < 0;
    }

    private void attempt(String domain) {
        Instant now = clock.instant();
        try {
            StoredCertificate stored = certificates.find(domain).orElse(null);
            if (stored != null && !due(stored, now)) {
                return;
            }
            if (!certificates.claim(domain, now, now.plus(CLAIM))) {
                return; // another node is on it, or it is backing off after failures
            }
            int failures = stored == null ? 0 : stored.failures();
            try {
                order(domain);
                store.reload();
            } catch (Exception e) {
                String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                Duration wait = backoff(failures + 1);
                certificates.failed(domain, reason, failures + 1, clock.instant().plus(wait), clock.instant());
                log.warn("acme certificate for {} failed ({} in a row), next try in {}: {}", domain, failures + 1,
                        wait, reason);
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
            }
        } catch (RuntimeException e) {
            log.warn("acme attempt for {} skipped: {}", domain, e.getMessage());
        }
    }

    Duration backoff(int failures) {
        Duration wait = settings.retryBase();
        for (int i = 1; i < failures && wait.compareTo(settings.retryMax()) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(settings.retryMax()) < 0 ? wait : settings.retryMax();
    }

    private void order(String domain) throws Exception {
        if (!settings.acceptTerms()) {
            throw new IllegalStateException("tunnel.server.acme.accept-terms is false: accept the terms of service of "
                    + settings.directoryUrl() + " to have certificates issued");
        }
        Session session = settings.directoryCa().isEmpty() ? new Session(URI.create(settings.directoryUrl()))
                : new Session(URI.create(settings.directoryUrl()), new PrivateCaProvider(Path.of(settings.directoryCa())));
        Account account = account(session);
        Order order = account.newOrder().domain(domain).create();
        for (Authorization authorization : order.getAuthorizations()) {
            if (authorization.getStatus() == Status.VALID) {
                continue;
            }
            Http01Challenge challenge = authorization.findChallenge(Http01Challenge.class).orElseThrow(() ->
                    new IllegalStateException("the CA offers no http-01 challenge for " + domain));
            challenges.put(challenge.getToken(), challenge.getAuthorization());
            try {
                challenge.trigger();
                if (authorization.waitForCompletion(VALIDATION_WAIT) != Status.VALID) {
                    throw new IllegalStateException("the CA could not validate " + domain + " over http-01: "
                            + challenge.getError().map(Object::toString).orElse(authorization.getStatus().name()));
                }
            } finally {
                challenges.remove(challenge.getToken());
            }
        }
        KeyPair domainKey = ecKeyPair();
        order.execute(domainKey);
        if (order.waitForCompletion(VALIDATION_WAIT) != Status.VALID) {
            throw new IllegalStateException("the order for " + domain + " ended " + order.getStatus()
                    + order.getError().map(p -> ": " + p).orElse(""));
        }
        StringWriter chain = new StringWriter();
        order.getCertificate().writeCertificate(chain);
        X509Certificate leaf = order.getCertificate().getCertificate();
        certificates.store(domain, chain.toString(), pkcs8(domainKey), leaf.getIssuerX500Principal().getName(),
                leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant(), SiteCertificates.ACME,
                clock.instant());
        log.info("acme certificate for {} issued by {}, valid until {}", domain,
                leaf.getIssuerX500Principal().getName(), leaf.getNotAfter().toInstant());
    }

    /** The account of this directory, its key kept in the database so restarts and other nodes reuse it. */
    private Account account(Session session) throws Exception {
        String directory = settings.directoryUrl();
        SiteCertificates.AcmeAccount stored = certificates.account(directory).orElse(null);
        if (stored == null) {
            KeyPair fresh = ecKeyPair();
            stored = certificates.saveAccount(directory, pkcs8(fresh) + Pem.encode("PUBLIC KEY",
                    fresh.getPublic().getEncoded()));
        }
        KeyPair key = readKeyPair(stored.keyPairPem());
        AccountBuilder builder = new AccountBuilder().agreeToTermsOfService().useKeyPair(key);
        if (!settings.email().isEmpty()) {
            builder.addEmail(settings.email());
        }
        Account account = builder.create(session);
        if (stored.accountUrl() == null) {
            certificates.accountUrl(directory, account.getLocation().toString());
        }
        return account;
    }

    private static KeyPair ecKeyPair() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static String pkcs8(KeyPair pair) {
        return Pem.encode("PRIVATE KEY", pair.getPrivate().getEncoded());
    }

    /** The account key as stored: the PKCS#8 private key, then its public key (both EC). */
    private static KeyPair readKeyPair(String pem) throws Exception {
        KeyFactory ec = KeyFactory.getInstance("EC");
        return new KeyPair(ec.generatePublic(new X509EncodedKeySpec(Pem.decode(pem, "PUBLIC KEY"))),
                ec.generatePrivate(new PKCS8EncodedKeySpec(Pem.decode(pem, "PRIVATE KEY"))));
    }

    @Override
    public void stop() {
        running = false;
        worker.shutdownNow();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** The virtual hosts depend on it: in a higher phase it would stop them at SIGTERM (see LifecyclePhases). */
    @Override
    public int getPhase() {
        return LifecyclePhases.VIRTUAL_HOSTS;
    }
}
