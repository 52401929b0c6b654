package io.tunnelplane.control.cluster;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * The presence rows of server nodes and their agent sessions (plain SQL that runs on H2 and PostgreSQL). Each node
 * writes only its own rows; anyone may delete a node whose heartbeat is older than the expiry. Ages are measured
 * on the database's clock, so nodes whose clocks disagree still agree on who is alive.
 */
@Repository
public class NodePresence {
    private final JdbcTemplate jdbc;

    public NodePresence(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** A node as it announces itself. */
    public record Node(String nodeId, String advertiseAddress, String version) {
    }

    /** One agent session held by a node; {@code wanted}: connections the agent keeps to that node. */
    public record Session(String sessionId, String clientName, String connectionId, Instant since,
            String remoteAddress, int wanted) {
    }

    /** A node as others see it: when it started, its last heartbeat (database clock) and its sessions. */
    public record NodeRow(String nodeId, String advertiseAddress, String version, Instant startedAt,
            Instant heartbeatAt, int sessions, Duration heartbeatAge) {
    }

    /** A public listener a node has open: the proxy and its client. */
    public record Listener(long proxyId, String clientName) {
    }

    /** A session held by a live node. */
    public record SessionRow(String nodeId, String sessionId, String clientName, String connectionId, Instant since,
            String remoteAddress, int wanted) {
    }

    /**
     * Writes the node's heartbeat with its session count, adds {@code added} and removes {@code removed} sessions.
     * Creates the node's row at its first heartbeat (or after it expired); {@code full} replaces every session row
     * of the node instead (first beat, or after a failed one). Returns whether the node's row had to be created.
     */
    @Transactional
    public boolean heartbeat(Node node, int sessions, Collection<Session> added, Collection<String> removed,
            boolean full) {
        return heartbeat(node, sessions, added, removed, List.of(), List.of(), full);
    }

    /** Like {@link #heartbeat(Node, int, Collection, Collection, boolean)}, with the node's listener changes too. */
    @Transactional
    public boolean heartbeat(Node node, int sessions, Collection<Session> added, Collection<String> removed,
            Collection<Listener> opened, Collection<Long> closed, boolean full) {
        int updated = jdbc.update("update cluster_node set heartbeat_at = current_timestamp, sessions = ?, "
                + "advertise_address = ?, version = ? where node_id = ?", sessions, node.advertiseAddress(),
                node.version(), node.nodeId());
        boolean created = updated == 0;
        if (created) {
            jdbc.update("insert into cluster_node (node_id, advertise_address, version, started_at, heartbeat_at, "
                    + "sessions) values (?, ?, ?, current_timestamp, current_timestamp, ?)", node.nodeId(),
                    node.advertiseAddress(), node.version(), sessions);
        }
        if (full || created) {
            jdbc.update("delete from cluster_session where node_id = ?", node.nodeId());
        } else if (!removed.isEmpty()) {
            jdbc.batchUpdate("delete from cluster_session where session_id = ?",
                    removed.stream().map(id -> new Object[] {id}).toList());
        }
        if (full || created) {
            jdbc.update("delete from cluster_listener where node_id = ?", node.nodeId());
        } else if (!closed.isEmpty()) {
            jdbc.batchUpdate("delete from cluster_listener where node_id = ? and proxy_id = ?",
                    closed.stream().map(id -> new Object[] {node.nodeId(), id}).toList());
        }
        if (!opened.isEmpty()) {
            jdbc.batchUpdate("insert into cluster_listener (node_id, proxy_id, client_name) values (?, ?, ?)",
                    opened.stream().map(l -> new Object[] {node.nodeId(), l.proxyId(), l.clientName()}).toList());
        }
        if (!added.isEmpty()) {
            jdbc.batchUpdate("insert into cluster_session (session_id, node_id, client_name, connection_id, since, "
                    + "remote_address, wanted) values (?, ?, ?, ?, ?, ?, ?)", added.stream().map(s -> new Object[] {
                            s.sessionId(), node.nodeId(), s.clientName(), s.connectionId(), Timestamp.from(s.since()),
                            s.remoteAddress(), s.wanted()}).toList());
        }
        return created;
    }

    /** Deletes the rows of nodes silent for longer than {@code expiry} (their sessions go with them). */
    @Transactional
    public List<NodeRow> expire(Duration expiry) {
        Timestamp cutoff = cutoff(expiry);
        List<NodeRow> dead = jdbc.query(NODE_SELECT + " where heartbeat_at < ?", this::node, cutoff);
        if (!dead.isEmpty()) {
            jdbc.update("delete from cluster_node where heartbeat_at < ?", cutoff);
        }
        return dead;
    }

    /** A node leaving on purpose (shutdown): its rows go at once instead of at expiry. */
    public void leave(String nodeId) {
        jdbc.update("delete from cluster_node where node_id = ?", nodeId);
    }

    /** Nodes whose heartbeat is younger than {@code expiry}, by id. */
    public List<NodeRow> liveNodes(Duration expiry) {
        return jdbc.query(NODE_SELECT + " where heartbeat_at >= ? order by node_id", this::node, cutoff(expiry));
    }

    /** The client's sessions on live nodes, oldest first. */
    public List<SessionRow> sessionsOf(String clientName, Duration expiry) {
        return jdbc.query("select s.node_id, s.session_id, s.client_name, s.connection_id, s.since, s.remote_address, "
                + "s.wanted from cluster_session s join cluster_node n on n.node_id = s.node_id "
                + "where s.client_name = ? and n.heartbeat_at >= ? order by s.since, s.session_id",
                (rs, i) -> new SessionRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getTimestamp(5).toInstant(), rs.getString(6), rs.getInt(7)), clientName, cutoff(expiry));
    }

    /** The proxies of {@code clientName} that each live node has a public listener open for, by node. */
    public Map<String, Set<Long>> listenersOf(String clientName, Duration expiry) {
        Map<String, Set<Long>> byNode = new TreeMap<>();
        jdbc.query("select l.node_id, l.proxy_id from cluster_listener l join cluster_node n on n.node_id = l.node_id "
                + "where l.client_name = ? and n.heartbeat_at >= ?", rs -> {
                    byNode.computeIfAbsent(rs.getString(1), k -> new HashSet<>()).add(rs.getLong(2));
                }, clientName, cutoff(expiry));
        return byNode;
    }

    /** Clients with a session on a live node other than {@code nodeId}. */
    public List<String> clientsElsewhere(String nodeId, Duration expiry) {
        return jdbc.queryForList("select distinct s.client_name from cluster_session s join cluster_node n "
                + "on n.node_id = s.node_id where s.node_id <> ? and n.heartbeat_at >= ?", String.class, nodeId,
                cutoff(expiry));
    }

    /** What the database's clock says: every age is measured against it. */
    public Instant databaseNow() {
        return jdbc.queryForObject("select current_timestamp", Timestamp.class).toInstant();
    }

    private Timestamp cutoff(Duration expiry) {
        return Timestamp.from(databaseNow().minus(expiry));
    }

    private static final String NODE_SELECT = "select node_id, advertise_address, version, started_at, heartbeat_at, "
            + "sessions, current_timestamp from cluster_node";

    private NodeRow node(ResultSet rs, int row) throws SQLException {
        Instant heartbeat = rs.getTimestamp(5).toInstant();
        return new NodeRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getTimestamp(4).toInstant(),
                heartbeat, rs.getInt(6), Duration.between(heartbeat, rs.getTimestamp(7).toInstant()));
    }
}
