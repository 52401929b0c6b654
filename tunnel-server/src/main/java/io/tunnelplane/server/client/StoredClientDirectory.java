package io.tunnelplane.server.client;

import io.tunnelplane.control.client.ClientAuthority;
import io.tunnelplane.control.runtime.ProxyDefinition;
import io.tunnelplane.protocol.control.ProxySpec;
import io.tunnelplane.server.config.TunnelServerProperties;
import io.tunnelplane.server.vhost.BasicAuthChecks;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Primary;
import org.springframework.stereotype.Component;

/**
 * The engine's client lookup: clients stored by the control plane first, then the statically configured ones.
 * Database work runs on the engine's blocking executor, never on an event loop.
 */
@Component
@Primary
public class StoredClientDirectory implements ClientDirectory {
    private final ClientAuthority authority;
    private final ConfiguredClientDirectory configured;
    private final Executor blocking;
    private final BasicAuthChecks basicAuth;

    public StoredClientDirectory(ClientAuthority authority, TunnelServerProperties properties,
            @Qualifier("engineBlockingExecutor") Executor blocking, BasicAuthChecks basicAuth) {
        this.authority = authority;
        this.basicAuth = basicAuth;
        this.configured = new ConfiguredClientDirectory(properties);
        this.blocking = blocking;
    }

    @Override
    public CompletionStage<Optional<ClientAccess>> find(String clientId) {
        return CompletableFuture.supplyAsync(() -> authority.findEnabled(clientId).map(login -> {
                    basicAuth.update(login.proxies());
                    return new ClientAccess(login.name(), login.tokenKey(),
                            login.proxies().stream().map(StoredClientDirectory::spec).toList());
                }), blocking)
                .thenCompose(stored -> stored.isPresent()
                        ? CompletableFuture.completedFuture(stored) : configured.find(clientId));
    }

    /** Records a successful login; fire and forget. */
    public void loggedIn(String clientId) {
        blocking.execute(() -> authority.markSeen(clientId, Instant.now()));
    }

    /** The control plane's proxy in the protocol's terms. */
    public static ProxySpec spec(ProxyDefinition d) {
        return new ProxySpec(d.id(), d.name(), d.type(), d.localHost(), d.localPort(), d.remotePort(), d.domains(),
                d.locations(), d.hostRewrite(), d.proxyProtocol());
    }
}
