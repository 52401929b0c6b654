package io.tunnelplane.server.certificates;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.shredzone.acme4j.connector.NetworkSettings;
import org.shredzone.acme4j.provider.GenericAcmeProvider;

/**
 * The ACME client's HTTP for a directory served under a private CA ({@code tunnel.server.acme.directory-ca}):
 * only that CA is trusted for the directory's own HTTPS, nothing else in the JVM changes.
 */
final class PrivateCaProvider extends GenericAcmeProvider {
    private final SSLContext ssl;

    PrivateCaProvider(Path caFile) throws IOException, GeneralSecurityException {
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        try (InputStream in = Files.newInputStream(caFile)) {
            int i = 0;
            for (Certificate ca : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trusted.setCertificateEntry("ca-" + i++, ca);
            }
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        ssl = SSLContext.getInstance("TLS");
        ssl.init(null, trust.getTrustManagers(), null);
    }

    @Override
    public HttpClient createHttpClient(NetworkSettings settings) {
        return HttpClient.newBuilder().sslContext(ssl).connectTimeout(settings.getTimeout())
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }
}
