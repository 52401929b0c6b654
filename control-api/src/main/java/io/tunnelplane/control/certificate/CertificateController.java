package io.tunnelplane.control.certificate;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tunnelplane.control.web.ApiException;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "certificates", description = "Certificates of the domains whose TLS the server ends (https proxies "
        + "with tlsMode terminate): issued by the ACME CA or uploaded")
public class CertificateController {
    private final SiteCertificates certificates;
    private final Clock clock;
    private final ApplicationEventPublisher events;

    public CertificateController(SiteCertificates certificates, Clock clock, ApplicationEventPublisher events) {
        this.certificates = certificates;
        this.clock = clock;
        this.events = events;
    }

    /** Published after an operator changed a certificate: the engine serves the change before the API answers. */
    public record CertificatesChanged(String domain) {
    }

    /**
     * A domain's certificate as the API shows it (never its key).
     *
     * @param source      {@code acme} or {@code upload} (uploads are never renewed by the server)
     * @param issued      whether a certificate is held (an ACME domain may still be waiting for its first)
     * @param lastError   why the last ACME attempt failed, null after a success
     * @param nextAttempt when the next ACME attempt may start after failures (backing off), or null
     */
    public record CertificateView(String domain, boolean issued, String issuer, Instant notBefore, Instant notAfter,
            String source, int failures, String lastError, Instant nextAttempt, Instant updatedAt) {
        static CertificateView of(SiteCertificates.StoredCertificate c) {
            return new CertificateView(c.domain(), c.issued(), c.issuer(), c.notBefore(), c.notAfter(), c.source(),
                    c.failures(), c.lastError(), c.failures() > 0 ? c.nextAttempt() : null, c.updatedAt());
        }
    }

    /** An operator's own certificate for a domain: the chain (leaf first) and its PKCS#8 key, as PEM. */
    public record Upload(@NotBlank @Size(max = 65536) String certificateChain,
            @NotBlank @Size(max = 16384) String privateKey) {
    }

    @GetMapping("/api/v1/certificates")
    @Operation(summary = "Every domain's certificate: issuer, validity, where it came from, the last ACME error")
    public List<CertificateView> list() {
        return certificates.all().stream().map(CertificateView::of).toList();
    }

    @PutMapping("/api/v1/certificates/{domain}")
    @Operation(summary = "Serve an uploaded certificate for the domain instead of an ACME one (never renewed)")
    public CertificateView upload(@PathVariable String domain, @Valid @RequestBody Upload upload) {
        String name = domain.toLowerCase(Locale.ROOT);
        PemBundle bundle;
        try {
            bundle = PemBundle.parse(upload.certificateChain(), upload.privateKey());
        } catch (IllegalArgumentException e) {
            int colon = e.getMessage().indexOf(": ");
            throw ApiException.invalid(e.getMessage().substring(0, colon), e.getMessage().substring(colon + 2));
        }
        if (!bundle.covers(name)) {
            throw ApiException.invalid("certificateChain", "the first certificate does not name " + name);
        }
        certificates.store(name, upload.certificateChain(), upload.privateKey(),
                bundle.leaf().getIssuerX500Principal().getName(), bundle.leaf().getNotBefore().toInstant(),
                bundle.leaf().getNotAfter().toInstant(), SiteCertificates.UPLOAD, clock.instant());
        events.publishEvent(new CertificatesChanged(name));
        return certificates.find(name).map(CertificateView::of).orElseThrow();
    }

    @DeleteMapping("/api/v1/certificates/{domain}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Forget the domain's certificate (a terminating proxy that still names it gets a new "
            + "one from the ACME CA)")
    public void delete(@PathVariable String domain) {
        if (!certificates.delete(domain.toLowerCase(Locale.ROOT))) {
            throw new ApiException(HttpStatus.NOT_FOUND, null, "no certificate is kept for " + domain);
        }
        events.publishEvent(new CertificatesChanged(domain.toLowerCase(Locale.ROOT)));
    }
}
