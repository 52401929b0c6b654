package io.tunnelplane.server.client;

import io.tunnelplane.control.access.SourceRules;
import io.tunnelplane.protocol.control.ProxySpec;
import io.tunnelplane.protocol.handshake.TokenProof;
import io.tunnelplane.server.admission.VisitorAccess;
import io.tunnelplane.server.config.TunnelServerProperties;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Clients from {@code tunnel.server.clients}: static clients next to the ones the control plane stores (handy
 * for a fixed fleet or a demo). Only the derived token keys are kept in memory.
 */
public class ConfiguredClientDirectory implements ClientDirectory {
    private final Map<String, ClientAccess> clients;

    public ConfiguredClientDirectory(TunnelServerProperties properties, VisitorAccess access) {
        List<ClientAccess> all = new ArrayList<>();
        long nextProxyId = 1;
        for (TunnelServerProperties.ClientConfig client : properties.clients()) {
            List<ProxySpec> proxies = new ArrayList<>();
            Map<Long, SourceRules> sources = new HashMap<>();
            for (TunnelServerProperties.ProxyConfig proxy : client.proxies()) {
                sources.put(nextProxyId, SourceRules.of(proxy.allowFrom(), proxy.denyFrom()));
                proxies.add(new ProxySpec(nextProxyId++, proxy.name(), proxy.type(), proxy.localHost(),
                        proxy.localPort(), proxy.remotePort(), List.of(), List.of(), "",
                        "v2".equals(proxy.proxyProtocol())));
            }
            access.update(client.name(), sources);
            all.add(new ClientAccess(client.name(), TokenProof.keyOf(client.token()), proxies));
        }
        this.clients = all.stream().collect(Collectors.toUnmodifiableMap(ClientAccess::clientId, Function.identity()));
    }

    @Override
    public CompletionStage<Optional<ClientAccess>> find(String clientId) {
        return CompletableFuture.completedFuture(Optional.ofNullable(clients.get(clientId)));
    }
}
