package io.tunnelplane.server.session;

import io.tunnelplane.protocol.DisconnectCause;
import io.tunnelplane.protocol.control.ProxySpec;
import io.tunnelplane.server.metrics.TunnelMetrics;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;

/**
 * The clients served on this node, each as a {@link SessionGroup} of its live sessions. A group exists from its
 * first session's login until its last session has left and its ports are closed.
 */
@Component
public class SessionRegistry {
    private final ConcurrentMap<String, SessionGroup> byClient = new ConcurrentHashMap<>();
    private final AtomicLong changesArrived = new AtomicLong();
    private final AtomicInteger changesUnsettled = new AtomicInteger();
    private final ProxyPorts ports;
    private final TunnelMetrics metrics;

    public SessionRegistry(ProxyPorts ports, TunnelMetrics metrics) {
        this.ports = ports;
        this.metrics = metrics;
        metrics.clientStates(this::countByState);
    }

    /**
     * Adds {@code session} to its client's group (creating the group on the session's loop), on the group's loop;
     * {@code joined} runs there once it is in. A group that retired meanwhile is replaced by a new one.
     */
    void register(AgentSession session, List<ProxySpec> loginProxies, int connections, Runnable joined) {
        SessionGroup group = byClient.computeIfAbsent(session.clientId(), id -> newGroup(session));
        group.eventLoop().execute(() -> {
            if (group.join(session, loginProxies, connections)) {
                session.joined(group);
                joined.run();
            } else {
                register(session, loginProxies, connections, joined);
            }
        });
    }

    private SessionGroup newGroup(AgentSession first) {
        String client = first.clientId();
        SessionGroup[] created = new SessionGroup[1];
        created[0] = new SessionGroup(client, first.eventLoop(), ports, () -> {
            // Gauge first: a group created for the client right after the removal registers its own.
            metrics.groupRetired(client);
            byClient.remove(client, created[0]);
        });
        metrics.groupCreated(client, () -> created[0].live().size());
        return created[0];
    }

    /** The session ended: it leaves its group (on the group's loop). */
    void remove(AgentSession session) {
        SessionGroup group = session.group();
        if (group != null) {
            group.eventLoop().execute(() -> group.leave(session));
        }
    }

    /**
     * Counts a control-plane change about to look for its client's group; {@link #changeSettled()} once its
     * transaction ended. A login notes the count before it reads the client's proxies; if, once its session is
     * registered, the count is the same and no change is unsettled, none can have slipped between that read and
     * the registration, and the login need not read again (a reconnect storm then reads each client once).
     */
    public void changeArriving() {
        changesUnsettled.incrementAndGet();
        changesArrived.incrementAndGet();
    }

    public void changeSettled() {
        changesUnsettled.decrementAndGet();
    }

    public long changesArrived() {
        return changesArrived.get();
    }

    /** True when a login that noted {@code arrivedBefore} may have missed a change. */
    public boolean changedSince(long arrivedBefore) {
        return changesUnsettled.get() > 0 || changesArrived.get() != arrivedBefore;
    }

    public Optional<SessionGroup> find(String clientId) {
        return Optional.ofNullable(byClient.get(clientId));
    }

    public Collection<SessionGroup> groups() {
        return List.copyOf(byClient.values());
    }

    /** Every session on this node, of every client. */
    public List<AgentSession> all() {
        return byClient.values().stream().flatMap(g -> g.sessions().stream()).toList();
    }

    /** Ends every session of the client with {@code cause}. Returns whether one was online. */
    public boolean disconnect(String clientId, DisconnectCause cause) {
        SessionGroup group = byClient.get(clientId);
        if (group == null) {
            return false;
        }
        List<AgentSession> live = group.live();
        live.forEach(session -> session.end(cause));
        return !live.isEmpty();
    }

    /** Clients served here by the state of their connection set. */
    private int countByState(String state) {
        int count = 0;
        for (SessionGroup group : byClient.values()) {
            if (group.state().wireName().equals(state)) {
                count++;
            }
        }
        return count;
    }
}
