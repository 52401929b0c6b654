package io.tunnelplane.agent;

import io.tunnelplane.protocol.control.ProxySpec;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The proxies the server last pushed, replaced as a whole by each versioned list. */
final class AgentState {
    private volatile long version = -1;
    private volatile Map<Long, ProxySpec> proxies = Map.of();

    ProxySpec proxy(long id) {
        return proxies.get(id);
    }

    long version() {
        return version;
    }

    int proxyCount() {
        return proxies.size();
    }

    /** Applies a pushed list unless it is older than what we have. */
    boolean apply(long newVersion, List<ProxySpec> list) {
        if (newVersion < version) {
            return false;
        }
        proxies = list.stream().collect(Collectors.toUnmodifiableMap(ProxySpec::id, Function.identity()));
        version = newVersion;
        return true;
    }

    void clear() {
        version = -1;
        proxies = Map.of();
    }
}
