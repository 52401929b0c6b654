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
 * The proxies each session's server last pushed (replaced as a whole by each versioned list) and what we told the
 * servers of them. Lists are kept per session: in a cluster each node tells its own sessions what it routes, and
 * a node that could not open a port keeps its previous list while another node serves the new one, so a stream
 * is looked up in the list of the session it arrived on. Versions only compare within one session's node.
 */
final class AgentState {
    private final Map<Channel, SessionList> lists = new ConcurrentHashMap<>();
    private final Map<Long, String> reported = new ConcurrentHashMap<>();
    private final Set<Channel> controls = ConcurrentHashMap.newKeySet();
    private final Duration hostReportInterval;
    private volatile Map<Long, ProxySpec> lastAnnounced = Map.of();
    private volatile Consumer<List<String>> clusterChanges = nodes -> {
    };

    private record SessionList(long version, Map<Long, ProxySpec> proxies) {
    }

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

    /** The proxy a stream of {@code session} asks for: from that session's list (any list before it has one). */
    ProxySpec proxy(Channel session, long id) {
        SessionList own = lists.get(session);
        if (own != null) {
            return own.proxies().get(id);
        }
        return lists.values().stream().map(list -> list.proxies().get(id)).filter(p -> p != null).findFirst()
                .orElse(null);
    }

    /**
     * Applies a list pushed on {@code session} if it is newer than that session's; returns whether the proxies
     * the agent serves changed from what it last announced (so the sessions of a set log a change once).
     */
    synchronized boolean apply(Channel session, long newVersion, List<ProxySpec> list) {
        SessionList current = lists.get(session);
        if (current != null && newVersion <= current.version()) {
            return false;
        }
        Map<Long, ProxySpec> proxies = list.stream().collect(Collectors.toUnmodifiableMap(ProxySpec::id,
                Function.identity()));
        lists.put(session, new SessionList(newVersion, proxies));
        if (proxies.equals(lastAnnounced)) {
            return false;
        }
        lastAnnounced = proxies;
        return true;
    }

    /** The session closed: its list goes with it. */
    void sessionClosed(Channel session) {
        lists.remove(session);
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
