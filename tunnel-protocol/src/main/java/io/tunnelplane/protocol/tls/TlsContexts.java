package io.tunnelplane.protocol.tls;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.File;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509TrustManager;

/**
 * TLS for the agent port: TLS 1.3 only (no renegotiation, no downgrade to suites without forward secrecy), OpenSSL
 * through netty-tcnative when it loads, the JDK's engine otherwise.
 */
public final class TlsContexts {
    public static final String PROTOCOL = "TLSv1.3";

    private TlsContexts() {
    }

    public static SslProvider provider() {
        return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    /**
     * The server's context.
     *
     * @param clientCa when not null, agents must present a certificate issued by one of these CAs (mutual TLS)
     */
    public static SslContext server(File certificateChain, File privateKey, File clientCa) throws SSLException {
        return server(SslContextBuilder.forServer(certificateChain, privateKey), clientCa);
    }

    /** The server's context from a key and chain already read (see {@link #server(File, File, File)}). */
    public static SslContext server(PrivateKey privateKey, List<X509Certificate> chain, File clientCa)
            throws SSLException {
        return server(SslContextBuilder.forServer(privateKey, chain), clientCa);
    }

    private static SslContext server(SslContextBuilder builder, File clientCa) throws SSLException {
        builder.sslProvider(provider()).protocols(PROTOCOL);
        if (clientCa != null) {
            builder.trustManager(clientCa).clientAuth(ClientAuth.REQUIRE);
        }
        return builder.build();
    }

    /**
     * The agent's context.
     *
     * @param verifyHostname whether the certificate must name the server's host (CA-based trust); a pinned key
     *                       needs no name
     * @param clientChain    the agent's own certificate for mutual TLS, or null
     */
    public static SslContext agent(X509TrustManager trust, boolean verifyHostname, File clientChain, File clientKey)
            throws SSLException {
        SslContextBuilder builder = SslContextBuilder.forClient().sslProvider(provider()).protocols(PROTOCOL)
                .trustManager(trust).endpointIdentificationAlgorithm(verifyHostname ? "HTTPS" : null);
        if (clientChain != null) {
            builder.keyManager(clientChain, clientKey);
        }
        return builder.build();
    }
}
