package io.tunnelplane.control.runtime;

import java.util.List;

/** What the engine needs to admit a client: its token key (never the token) and its enabled proxies. */
public record ClientLogin(String name, byte[] tokenKey, List<ProxyDefinition> proxies) {
    public ClientLogin {
        proxies = List.copyOf(proxies);
    }

    @Override
    public String toString() {
        return "ClientLogin[name=" + name + ", proxies=" + proxies.size() + "]";
    }
}
