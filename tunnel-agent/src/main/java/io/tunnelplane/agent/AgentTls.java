package io.tunnelplane.agent;

import io.netty.handler.ssl.SslContext;
import io.tunnelplane.protocol.handshake.AgentToken;
import io.tunnelplane.protocol.tls.KeyPin;
import io.tunnelplane.protocol.tls.PinnedKeyTrustManager;
import io.tunnelplane.protocol.tls.TlsContexts;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Arrays;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * How the agent verifies the server. In order: the key pin (from the token or {@code --server-pin}), then a CA
 * file ({@code --server-ca}) with host name check, then the JVM's trusted CAs with host name check. Plain TCP only
 * with {@code --insecure}.
 *
 * @param enabled           false only with --insecure
 * @param pin               the server key pin, or null
 * @param ca                PEM file of CAs to trust instead of the JVM's, or null
 * @param clientCertificate the agent's certificate chain (PEM) for servers that require mutual TLS, or null
 * @param clientKey         its PKCS#8 private key (PEM), or null
 */
public record AgentTls(boolean enabled, String pin, Path ca, Path clientCertificate, Path clientKey) {
    public static final AgentTls INSECURE = new AgentTls(false, null, null, null, null);

    public static AgentTls pinned(String pin) {
        return new AgentTls(true, pin, null, null, null);
    }

    /**
     * Validates and builds the settings from the options as given (null when absent); messages name the option.
     * The pin comes from {@code --server-pin} or, failing that, from the token.
     */
    public static AgentTls resolve(boolean insecure, String serverPin, String serverCa, String certificate,
            String key, AgentToken token) {
        if (insecure) {
            if (serverPin != null || serverCa != null || certificate != null) {
                throw new IllegalArgumentException("--insecure cannot be combined with --server-pin, --server-ca or "
                        + "--tls-certificate");
            }
            return INSECURE;
        }
        if (serverPin != null && !KeyPin.isValid(serverPin.strip())) {
            throw new IllegalArgumentException("--server-pin must be the 43-character key pin the server logs at "
                    + "startup, got '" + serverPin + "'");
        }
        if (serverPin != null && token.serverPin() != null && !serverPin.strip().equals(token.serverPin())) {
            throw new IllegalArgumentException("--server-pin differs from the pin carried by --token; drop one");
        }
        if ((certificate == null) != (key == null)) {
            throw new IllegalArgumentException("--tls-certificate and --tls-key go together");
        }
        AgentTls tls = new AgentTls(true, serverPin != null ? serverPin.strip() : token.serverPin(),
                readable("--server-ca", serverCa), readable("--tls-certificate", certificate),
                readable("--tls-key", key));
        tls.nettyContext(); // fails now, naming the file, rather than at the first connect
        return tls;
    }

    private static Path readable(String option, String value) {
        if (value == null) {
            return null;
        }
        Path path = Path.of(value);
        if (!Files.isReadable(path)) {
            throw new IllegalArgumentException(option + ": cannot read " + path);
        }
        return path;
    }

    /** Describes the mode for logs and --print-config. */
    public String describe() {
        if (!enabled) {
            return "off (--insecure): payloads cross the network in clear";
        }
        String how = pin != null ? "TLS 1.3, server key pinned " + pin
                : ca != null ? "TLS 1.3, server certificate from CA file " + ca + " and host name checked"
                : "TLS 1.3, server certificate from the JVM's trusted CAs and host name checked";
        return clientCertificate == null ? how : how + ", client certificate " + clientCertificate;
    }

    X509TrustManager trustManager() throws GeneralSecurityException, IOException {
        if (pin != null) {
            return new PinnedKeyTrustManager(pin);
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        if (ca == null) {
            factory.init((KeyStore) null);
        } else {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            try (InputStream in = Files.newInputStream(ca)) {
                int i = 0;
                for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    store.setCertificateEntry("ca-" + i++, certificate);
                }
                if (i == 0) {
                    throw new GeneralSecurityException("no certificate in " + ca);
                }
            }
            factory.init(store);
        }
        return (X509TrustManager) Arrays.stream(factory.getTrustManagers())
                .filter(X509TrustManager.class::isInstance).findFirst()
                .orElseThrow(() -> new GeneralSecurityException("no X.509 trust manager"));
    }

    /** The Netty context for sessions; checks the files now so a bad path fails at startup with its name. */
    public SslContext nettyContext() {
        try {
            return TlsContexts.agent(trustManager(), pin == null,
                    clientCertificate == null ? null : clientCertificate.toFile(),
                    clientKey == null ? null : clientKey.toFile());
        } catch (GeneralSecurityException | IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("TLS settings: " + e.getMessage(), e);
        }
    }

    /** A blocking TLS socket layered over {@code plain}, for the doctor's probes. */
    public SSLSocket wrap(java.net.Socket plain, String host, int port) throws IOException {
        try {
            SSLContext context = SSLContext.getInstance(TlsContexts.PROTOCOL);
            context.init(null, new TrustManager[] {trustManager()}, null);
            SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setProtocols(new String[] {TlsContexts.PROTOCOL});
            if (pin == null) {
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
            }
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return socket;
        } catch (GeneralSecurityException e) {
            throw new IOException("TLS: " + e.getMessage(), e);
        }
    }
}
