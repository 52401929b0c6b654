package io.tunnelplane.agent;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.tunnelplane.protocol.control.ProxySpec;
import javax.net.ssl.SSLException;

/**
 * TLS from the agent to a local service that only speaks HTTPS ({@code backendTls}). The service is on the agent's
 * own network and its certificate is usually self-signed or internal, so it is not verified: this encrypts the
 * last hop, it does not authenticate it (the tunnel to the server is authenticated and encrypted on its own).
 */
final class LocalTls {
    static final String NAME = "local-tls";
    /** A service on the agent's own network answers a handshake at once; one that does not speak TLS never does. */
    static final long HANDSHAKE_TIMEOUT_MILLIS = 5_000;
    private static final SslContext CONTEXT = context();

    private LocalTls() {
    }

    /** A client TLS handler for {@code proxy}'s service, naming the site (Host rewrite, else the local host). */
    static SslHandler handler(Channel local, ProxySpec proxy) {
        String name = proxy.hostRewrite().isEmpty() ? proxy.localHost() : proxy.hostRewrite();
        SslHandler handler = CONTEXT.newHandler(local.alloc(), name, proxy.localPort());
        handler.setHandshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MILLIS);
        return handler;
    }

    private static SslContext context() {
        try {
            return SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build();
        } catch (SSLException e) {
            throw new IllegalStateException("no TLS client available for backendTls", e);
        }
    }
}
