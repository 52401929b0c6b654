package io.tunnelplane.server.certificates;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.tunnelplane.control.certificate.CertificateController;
import io.tunnelplane.control.certificate.PemBundle;
import io.tunnelplane.control.certificate.SiteCertificates;
import io.tunnelplane.control.certificate.SiteCertificates.StoredCertificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The certificates this node serves for terminating https proxies, by domain, as ready TLS contexts read from the
 * shared database: looked up on the event loop without waiting, reloaded after each order and upload here and
 * every 30 s (so a certificate another node obtained, or was given, is served here too).
 */
@Component
public class CertificateStore {
    private static final Logger log = LoggerFactory.getLogger("io.tunnelplane.acme");

    private final SiteCertificates certificates;
    private volatile Map<String, Served> byDomain = Map.of();

    /** A served certificate: its TLS context, and what identifies it (to rebuild only what changed). */
    record Served(SslContext context, X509Certificate leaf, Instant updatedAt) {
    }

    public CertificateStore(SiteCertificates certificates) {
        this.certificates = certificates;
    }

    /** The TLS context for {@code domain}, or null when no certificate is held for it. */
    public SslContext contextFor(String domain) {
        Served served = byDomain.get(domain);
        return served == null ? null : served.context();
    }

    /** The certificate served for {@code domain}, or null. */
    public X509Certificate certificateOf(String domain) {
        Served served = byDomain.get(domain);
        return served == null ? null : served.leaf();
    }

    /** An operator uploaded or deleted one: served (or no longer) on this node before the API answers. */
    @EventListener
    public void changed(CertificateController.CertificatesChanged change) {
        reload();
    }

    /** Re-reads every certificate (blocking: call off the event loops). */
    public synchronized void reload() {
        Map<String, Served> current = byDomain;
        Map<String, Served> next = new HashMap<>();
        for (StoredCertificate stored : certificates.all()) {
            if (!stored.issued()) {
                continue;
            }
            Served known = current.get(stored.domain());
            if (known != null && known.updatedAt().equals(stored.updatedAt())) {
                next.put(stored.domain(), known);
                continue;
            }
            try {
                PemBundle bundle = PemBundle.parse(stored.chainPem(), stored.keyPem());
                SslContext context = SslContextBuilder.forServer(bundle.key(),
                        bundle.chain().toArray(X509Certificate[]::new)).build();
                next.put(stored.domain(), new Served(context, bundle.leaf(), stored.updatedAt()));
            } catch (IllegalArgumentException | SSLException e) {
                log.warn("certificate of {} not served: {}", stored.domain(), e.getMessage());
            }
        }
        byDomain = Map.copyOf(next);
    }
}
