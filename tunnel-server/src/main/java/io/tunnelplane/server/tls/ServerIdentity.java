package io.tunnelplane.server.tls;

import io.netty.handler.ssl.SslContext;
import io.tunnelplane.control.certificate.PemBundle;
import io.tunnelplane.protocol.tls.KeyPin;
import io.tunnelplane.protocol.tls.TlsContexts;
import io.tunnelplane.server.config.TunnelServerProperties;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The agent port's TLS identity: the operator's certificate, or one this server created at first start. Its key
 * pin is what agents verify; tokens issued by the API carry it.
 */
@Component
public class ServerIdentity {
    private static final Logger log = LoggerFactory.getLogger(ServerIdentity.class);
    static final String CERTIFICATE_FILE = "agent-port.crt";
    static final String KEY_FILE = "agent-port.key";

    private final SslContext sslContext;
    private final String pin;

    public ServerIdentity(TunnelServerProperties properties) throws IOException {
        TunnelServerProperties.Tls tls = properties.tls();
        if (!tls.enabled()) {
            sslContext = null;
            pin = null;
            log.warn("tunnel.server.tls.enabled=false: the agent port is plain TCP. Tokens stay secret (challenge "
                    + "login) but proxied traffic crosses the network in clear; agents need --insecure");
            return;
        }
        Path certificate;
        Path key;
        if (tls.certificate() != null && !tls.certificate().isBlank()) {
            certificate = Path.of(tls.certificate());
            key = Path.of(tls.privateKey());
        } else {
            Path dir = Path.of(tls.generatedDirectory());
            certificate = dir.resolve(CERTIFICATE_FILE);
            key = dir.resolve(KEY_FILE);
            if (!Files.exists(certificate) || !Files.exists(key)) {
                SelfSignedCertificate.create(certificate, key, hostname());
                log.info("created the agent port's TLS key and self-signed certificate in {}", dir.toAbsolutePath());
            }
        }
        X509Certificate leaf = readLeaf(certificate);
        pin = KeyPin.of(leaf);
        sslContext = context(certificate, key,
                tls.clientCa() == null || tls.clientCa().isBlank() ? null : Path.of(tls.clientCa()).toFile());
        log.info("agent port TLS 1.3 ({}), certificate \"{}\" valid until {}, key pin {}{}; API tokens carry the pin, "
                        + "agents with other tokens need --server-pin {}", TlsContexts.provider(),
                leaf.getSubjectX500Principal().getName(), leaf.getNotAfter().toInstant(), pin,
                tls.clientCa() == null || tls.clientCa().isBlank() ? "" : ", agent certificates required", pin);
    }

    /**
     * Netty reads a PEM key file through BouncyCastle's provider when that is on the class path (it is, for ACME):
     * ~850 classes and ~11 MiB kept for the server's life. A PKCS#8 key, what we create and what current tools
     * write, the JDK reads itself (and checks against the certificate); any other format goes to Netty as before.
     */
    static SslContext context(Path certificate, Path key, File clientCa) throws IOException {
        String keyPem = Files.readString(key, StandardCharsets.US_ASCII);
        if (!keyPem.contains("-----BEGIN PRIVATE KEY-----")) {
            return TlsContexts.server(certificate.toFile(), key.toFile(), clientCa);
        }
        try {
            PemBundle read = PemBundle.parse(Files.readString(certificate, StandardCharsets.US_ASCII), keyPem);
            return TlsContexts.server(read.key(), read.chain(), clientCa);
        } catch (IllegalArgumentException e) {
            throw new IOException(certificate + " and " + key + ": " + e.getMessage(), e);
        }
    }

    private static X509Certificate readLeaf(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (CertificateException e) {
            throw new IOException(file + " is not a PEM certificate: " + e.getMessage(), e);
        }
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** The TLS context of the agent port, empty when TLS is off. */
    public Optional<SslContext> sslContext() {
        return Optional.ofNullable(sslContext);
    }

    /** The agent port's key pin, empty when TLS is off. */
    public Optional<String> pin() {
        return Optional.ofNullable(pin);
    }
}
