package io.tunnelplane.server.admission;

import io.tunnelplane.control.access.SourceRules;
import io.tunnelplane.control.runtime.ProxyDefinition;
import io.tunnelplane.server.config.TunnelServerProperties;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Who may visit each proxy, by source address: its own rules under the server's defaults
 * ({@code tunnel.server.access.*}), by client and proxy id (static and stored clients number their proxies apart).
 * Read on every accepted visitor, before any stream to the agent is opened; replaced whole per client whenever the
 * control plane hands the engine that client's proxies, so a change applies to the next visitor.
 */
@Component
public class VisitorAccess {
    private final SourceRules defaults;
    private final Map<String, Map<Long, SourceRules>> byClient = new ConcurrentHashMap<>();

    public VisitorAccess(TunnelServerProperties properties) {
        this.defaults = properties.access().rules();
    }

    /** The rules {@code proxies} (a client's complete list) carry. */
    public void update(String client, List<ProxyDefinition> proxies) {
        Map<Long, SourceRules> rules = new HashMap<>();
        proxies.forEach(proxy -> rules.put(proxy.id(), proxy.sources()));
        update(client, rules);
    }

    /** The rules of every proxy of {@code client} (proxies left out get the defaults). */
    public void update(String client, Map<Long, SourceRules> byProxy) {
        Map<Long, SourceRules> effective = new HashMap<>();
        byProxy.forEach((proxy, rules) -> effective.put(proxy, rules.under(defaults)));
        byClient.put(client, Map.copyOf(effective));
    }

    /** Whether a visitor from {@code source} may reach the proxy; one with no IP address (a test channel) may. */
    public boolean admits(String client, long proxyId, SocketAddress source) {
        if (!(source instanceof InetSocketAddress inet) || inet.getAddress() == null) {
            return true;
        }
        Map<Long, SourceRules> rules = byClient.get(client);
        SourceRules proxyRules = rules == null ? null : rules.get(proxyId);
        return (proxyRules == null ? defaults : proxyRules).admits(inet.getAddress());
    }
}
