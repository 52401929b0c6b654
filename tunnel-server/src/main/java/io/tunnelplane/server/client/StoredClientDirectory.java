package io.tunnelplane.server.client;

import io.tunnelplane.control.client.ClientAuthority;
import io.tunnelplane.control.runtime.ProxyDefinition;
import io.tunnelplane.protocol.control.ProxySpec;
import io.tunnelplane.server.admission.VisitorAccess;
import io.tunnelplane.server.config.TunnelServerProperties;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Primary;
import org.springframework.scheduling.annotation.Scheduled;
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
    private final ProxyPolicies policies;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private static final int SEEN_BATCH = 500;

    public StoredClientDirectory(ClientAuthority authority, TunnelServerProperties properties,
            @Qualifier("engineBlockingExecutor") Executor blocking, ProxyPolicies policies, VisitorAccess access) {
        this.policies = policies;
        this.authority = authority;
        this.configured = new ConfiguredClientDirectory(properties, access);
        this.blocking = blocking;
    }

    @Override
    public CompletionStage<Optional<ClientAccess>> find(String clientId) {
        return CompletableFuture.supplyAsync(() -> authority.findEnabled(clientId).map(login -> {
                    policies.take(login.name(), login.proxies());
                    return new ClientAccess(login.name(), login.tokenKey(),
                            login.proxies().stream().map(StoredClientDirectory::spec).toList());
                }), blocking)
                .thenCompose(stored -> stored.isPresent()
                        ? CompletableFuture.completedFuture(stored) : configured.find(clientId));
    }

    /**
     * Records a successful login. Written once a second for all logins since ({@link #recordSeen}): a reconnect
     * storm of 10 000 agents is then a few statements instead of 10 000.
     */
    public void loggedIn(String clientId) {
        seen.add(clientId);
    }

    @Scheduled(fixedDelay = 1_000)
    public void recordSeen() {
        if (seen.isEmpty()) {
            return;
        }
        Instant now = Instant.now();
        List<String> batch = new ArrayList<>(SEEN_BATCH);
        for (Iterator<String> names = seen.iterator(); names.hasNext(); ) {
            batch.add(names.next());
            names.remove();
            if (batch.size() == SEEN_BATCH || !names.hasNext()) {
                authority.markSeen(batch, now);
                batch.clear();
            }
        }
    }

    /** The control plane's proxy in the protocol's terms. */
    public static ProxySpec spec(ProxyDefinition d) {
        return new ProxySpec(d.id(), d.name(), d.type(), d.localHost(), d.localPort(), d.remotePort(), d.domains(),
                d.locations(), d.hostRewrite(), d.proxyProtocol(), d.backendTls());
    }
}
