package io.tunnelplane.agent;

import io.netty.channel.Channel;
import io.tunnelplane.protocol.control.ControlMessage;
import io.tunnelplane.protocol.control.ProxySpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The proxies the server last pushed (replaced as a whole by each versioned list) and what we told it of them.
 * Shared by every connection of the set: each session receives the same list, the newest version wins.
 */
final class AgentState {
    private volatile long version = -1;
    private volatile Map<Long, ProxySpec> proxies = Map.of();
    private final Map<Long, String> reported = new ConcurrentHashMap<>();
    private final Set<Channel> controls = ConcurrentHashMap.newKeySet();
    private final Duration hostReportInterval;
    private volatile Consumer<List<String>> clusterChanges = nodes -> {
    };

    AgentState(Duration hostReportInterval) {
        this.hostReportInterval = hostReportInterval;
    }

    /** Where cluster changes pushed by a server go (the agent, which keeps a connection to every node). */
    void onClusterChange(Consumer<List<String>> listener) {
        this.clusterChanges = listener;
    }

    void clusterChanged(List<String> nodes) {
        clusterChanges.accept(nodes);
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

    /** Applies a pushed list if it is newer than what we have; false when it was not (a sibling brought it). */
    synchronized boolean apply(long newVersion, List<ProxySpec> list) {
        if (newVersion <= version) {
            return false;
        }
        proxies = list.stream().collect(Collectors.toUnmodifiableMap(ProxySpec::id, Function.identity()));
        version = newVersion;
        return true;
    }

    /** A session's control stream opened: reports go out on any open one, and are sent afresh. */
    void controlOpened(Channel stream) {
        controls.add(stream);
        reported.clear();
    }

    void controlClosed(Channel stream) {
        controls.remove(stream);
    }

    /**
     * Tells the server when a proxy's local service becomes reachable or unreachable. Only changes are sent;
     * returns whether this was one (so the caller logs a flapping service once, not per visitor).
     */
    boolean reportLocal(long proxyId, String state, String detail) {
        if (state.equals(reported.put(proxyId, state))) {
            return false;
        }
        for (Channel stream : controls) {
            if (stream.isActive()) {
                stream.writeAndFlush(new ControlMessage.ProxyStatus(proxyId, state, detail == null ? "" : detail));
                break;
            }
        }
        return true;
    }
}
