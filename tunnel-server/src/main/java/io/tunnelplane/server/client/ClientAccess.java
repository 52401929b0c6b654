package io.tunnelplane.server.client;

import io.tunnelplane.protocol.control.ProxySpec;
import java.util.List;

/**
 * What the engine needs to admit a client: the key derived from its token (never the token) and the proxies it
 * must serve.
 */
public record ClientAccess(String clientId, byte[] tokenKey, List<ProxySpec> proxies) {
    public ClientAccess {
        proxies = List.copyOf(proxies);
    }

    @Override
    public String toString() {
        return "ClientAccess[clientId=" + clientId + ", proxies=" + proxies.size() + "]";
    }
}
