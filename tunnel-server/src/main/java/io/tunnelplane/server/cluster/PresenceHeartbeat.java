package io.tunnelplane.server.cluster;

import io.tunnelplane.server.engine.LifecyclePhases;
import io.tunnelplane.control.cluster.NodePresence;
import io.tunnelplane.protocol.handshake.LoginAccepted;
import io.tunnelplane.server.config.TunnelServerProperties;
import io.tunnelplane.server.session.AgentSession;
import io.tunnelplane.server.session.ClusterNodes;
import io.tunnelplane.server.session.SessionGroup;
import io.tunnelplane.server.session.SessionRegistry;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Keeps this node's presence rows current: every {@code tunnel.server.cluster.heartbeat-interval} it writes its
 * heartbeat and the sessions that came and went since the last one, and removes nodes silent for longer than
 * {@code node-expiry}. Starts before the engine accepts agents, so a node that may not join (a second node on H2)
 * stops before anything is served; on shutdown it removes its own rows after the engine has stopped.
 */
@Component
public class PresenceHeartbeat implements SmartLifecycle, ClusterNodes {
    private static final Logger log = LoggerFactory.getLogger("io.tunnelplane.cluster");

    private final NodePresence presence;
    private final NodeIdentity identity;
    private final SessionRegistry registry;
    private final ClusterDatabase database;
    private final Duration interval;
    private final Duration expiry;
    /** What the rows say now; touched by the heartbeat thread only. */
    private final Map<String, NodePresence.Session> written = new HashMap<>();
    /** The listeners the rows say this node has open, by proxy id. Heartbeat thread only. */
    private final Map<Long, NodePresence.Listener> writtenListeners = new HashMap<>();
    private boolean full = true;
    /** The live nodes' advertise addresses at the last beat, read by logins on event loops. */
    private volatile List<String> advertised = List.of();
    private ScheduledExecutorService timer;
    private volatile boolean running;

    public PresenceHeartbeat(NodePresence presence, NodeIdentity identity, SessionRegistry registry,
            ClusterDatabase database, TunnelServerProperties properties) {
        this.presence = presence;
        this.identity = identity;
        this.registry = registry;
        this.database = database;
        this.interval = properties.cluster().heartbeatInterval();
        this.expiry = properties.cluster().nodeExpiry();
    }

    @Override
    public void start() {
        if (!database.shared()) {
            List<NodePresence.NodeRow> others = presence.liveNodes(expiry).stream()
                    .filter(n -> !n.nodeId().equals(identity.nodeId())).toList();
            if (!others.isEmpty()) {
                throw new IllegalStateException("node " + others.get(0).nodeId() + " is already running on this "
                        + database.product() + " database (heartbeat " + others.get(0).heartbeatAge().toMillis()
                        + "ms ago): H2 is the single-node default; to run several nodes, point every node at one "
                        + "PostgreSQL database (SPRING_DATASOURCE_URL)");
            }
        }
        beat();
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "cluster-presence");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(this::beatSafely, interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
        running = true;
        log.info("node {} joined ({} database, advertise address {}, heartbeat every {}ms, expiry {}ms)",
                identity.nodeId(), database.product(), identity.advertiseAddress() == null ? "none"
                        : identity.advertiseAddress(), interval.toMillis(), expiry.toMillis());
    }

    @Override
    public void stop() {
        running = false;
        if (timer != null) {
            timer.shutdownNow();
            try {
                timer.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            presence.leave(identity.nodeId());
            log.info("node {} left the cluster", identity.nodeId());
        } catch (RuntimeException e) {
            log.warn("node {} could not remove its presence rows ({}); they expire in {}ms", identity.nodeId(),
                    e.getMessage(), expiry.toMillis());
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return LifecyclePhases.CLUSTER;
    }

    private void beatSafely() {
        try {
            beat();
        } catch (RuntimeException e) {
            full = true; // the rows may not say what we think: rewrite them all next time
            log.warn("node {} heartbeat failed: {}; retrying in {}ms (other nodes take it for dead after {}ms)",
                    identity.nodeId(), e.getMessage(), interval.toMillis(), expiry.toMillis());
        }
    }

    private void beat() {
        Map<String, NodePresence.Session> now = new HashMap<>();
        for (AgentSession session : registry.all()) {
            if (session.isLive()) {
                now.put(session.sessionId(), new NodePresence.Session(session.sessionId(), session.clientId(),
                        session.connectionId(), session.connectedAt(), address(session.remoteAddress()),
                        session.group() == null ? 1 : session.group().wanted()));
            }
        }
        Map<Long, NodePresence.Listener> listening = new HashMap<>();
        for (SessionGroup group : registry.groups()) {
            group.listeners().keySet().forEach(proxyId -> listening.put(proxyId,
                    new NodePresence.Listener(proxyId, group.clientId())));
        }
        Changes<String, NodePresence.Session> sessions = Changes.between(written, now, full);
        Changes<Long, NodePresence.Listener> listeners = Changes.between(writtenListeners, listening, full);
        boolean created = presence.heartbeat(identity.asPresence(), now.size(), sessions.added(), sessions.removed(),
                listeners.added(), listeners.removed(), full);
        if (created && !full) {
            // Our row had expired (a long pause, or the database was unreachable): it is back with every session.
            log.warn("node {} had been taken for dead by the cluster; presence restored", identity.nodeId());
            presence.heartbeat(identity.asPresence(), now.size(), now.values(), List.of(), listening.values(),
                    List.of(), true);
        }
        written.clear();
        written.putAll(now);
        writtenListeners.clear();
        writtenListeners.putAll(listening);
        full = false;
        for (NodePresence.NodeRow dead : presence.expire(expiry)) {
            log.warn("node {} expired: no heartbeat for {}ms (limit {}ms); its {} sessions no longer count",
                    dead.nodeId(), dead.heartbeatAge().toMillis(), expiry.toMillis(), dead.sessions());
        }
        if (database.shared()) {
            List<String> live = presence.liveNodes(expiry).stream().map(NodePresence.NodeRow::advertiseAddress)
                    .filter(address -> address != null && !address.isBlank())
                    .limit(LoginAccepted.MAX_CLUSTER_NODES).toList();
            if (!live.equals(advertised)) {
                boolean first = advertised.isEmpty();
                advertised = live;
                if (!first && !live.isEmpty()) {
                    tellAgents(live);
                }
            }
        }
    }

    /**
     * What a beat writes: the rows to insert and the keys to delete since the last beat, or every row (and no
     * deletes: the node's rows are replaced) on a full rewrite.
     */
    private record Changes<K, V>(Collection<V> added, Collection<K> removed) {
        static <K, V> Changes<K, V> between(Map<K, V> written, Map<K, V> now, boolean full) {
            if (full) {
                return new Changes<>(List.copyOf(now.values()), List.of());
            }
            Set<K> removed = new HashSet<>(written.keySet());
            List<V> added = new ArrayList<>();
            now.forEach((key, value) -> {
                if (!removed.remove(key)) {
                    added.add(value);
                }
            });
            return new Changes<>(added, removed);
        }
    }

    /** A node joined or left: agents keep a connection to every node, so each one learns the new list now. */
    private void tellAgents(List<String> nodes) {
        List<AgentSession> sessions = registry.all().stream().filter(AgentSession::isLive).toList();
        sessions.forEach(session -> session.pushClusterNodes(nodes));
        log.info("cluster nodes now {}: told the agents on this node ({} connections)", nodes, sessions.size());
    }

    @Override
    public List<String> advertised() {
        return advertised;
    }

    private static String address(SocketAddress address) {
        return address instanceof InetSocketAddress inet
                ? inet.getAddress().getHostAddress() + ":" + inet.getPort() : null;
    }
}
