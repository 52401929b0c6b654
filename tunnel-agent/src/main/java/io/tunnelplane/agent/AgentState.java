package io.tunnelplane.agent;

import io.netty.channel.Channel;
import io.tunnelplane.protocol.control.ControlMessage;
import io.tunnelplane.protocol.control.ProxySpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The proxies the server last pushed (replaced as a whole by each versioned list) and what we told it of them. */
final class AgentState {
    private volatile long version = -1;
    private volatile Map<Long, ProxySpec> proxies = Map.of();
    private final Map<Long, String> reported = new ConcurrentHashMap<>();
    private volatile Channel control;
    private final Duration hostReportInterval;

    AgentState(Duration hostReportInterval) {
        this.hostReportInterval = hostReportInterval;
    }

    Duration hostReportInterval() {
        return hostReportInterval;
    }

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
        reported.clear();
        control = null;
    }

    void control(Channel stream) {
        control = stream;
        reported.clear();
    }

    /**
     * Tells the server when a proxy's local service becomes reachable or unreachable. Only changes are sent;
     * returns whether this was one (so the caller logs a flapping service once, not per visitor).
     */
    boolean reportLocal(long proxyId, String state, String detail) {
        if (state.equals(reported.put(proxyId, state))) {
            return false;
        }
        Channel stream = control;
        if (stream != null) {
            stream.writeAndFlush(new ControlMessage.ProxyStatus(proxyId, state, detail == null ? "" : detail));
        }
        return true;
    }
}
