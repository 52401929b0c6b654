package io.tunnelplane.server.cluster;

import io.tunnelplane.server.engine.LifecyclePhases;
import io.tunnelplane.control.cluster.NodePresence;
import io.tunnelplane.server.config.TunnelServerProperties;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Fans control-plane changes out to the other nodes through PostgreSQL {@code LISTEN/NOTIFY}: a change made
 * through one node (a proxy set changed, a client kicked or its credentials revoked) is announced on
 * {@code tunnel_changes}; every other live node applies it to the sessions it holds and answers on
 * {@code tunnel_acks}; the announcing node waits for every live node's answer, at most
 * {@link #ANSWER_TIMEOUT}. The database stays the truth: a node that lost its listening connection re-applies
 * every local client's stored proxies once it is back ({@link LocalChanges#resync()}). On H2 there is no other
 * node and nothing to do.
 */
@Component
public class ChangeBus implements SmartLifecycle {
    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(5);
    private static final String CHANGES = "tunnel_changes";
    private static final String ACKS = "tunnel_acks";
    private static final Logger log = LoggerFactory.getLogger("io.tunnelplane.cluster");

    private final DataSource dataSource;
    private final NodePresence presence;
    private final NodeIdentity identity;
    private final ClusterDatabase database;
    private final Duration expiry;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private volatile LocalChanges local;
    private volatile boolean running;
    private Thread listener;
    private ExecutorService appliers;

    public ChangeBus(DataSource dataSource, NodePresence presence, NodeIdentity identity,
            ClusterDatabase database, TunnelServerProperties properties) {
        this.dataSource = dataSource;
        this.presence = presence;
        this.identity = identity;
        this.database = database;
        this.expiry = properties.cluster().nodeExpiry();
    }

    /** What a change does on the node that receives it. */
    public interface LocalChanges {
        /** Re-reads the client's stored proxies and applies them to its local sessions. */
        Outcome applyStored(String clientName);

        /** Ends the client's local sessions with {@code cause} (a disconnect cause wire name). */
        Outcome endSessions(String clientName, String cause);

        /** Ends the proxy's local visitor connections that its (already applied) source rules refuse. */
        Outcome closeRefusedHere(String clientName, long proxyId);

        /** Re-applies the stored proxies of every client with local sessions (after missed notifications). */
        void resync();
    }

    /** What one node did with a change: {@code applied}, {@code no_session}, or {@code failed} with the reason. */
    public record Outcome(String status, String detail) {
        public static final Outcome APPLIED = new Outcome("applied", "");
        public static final Outcome NO_SESSION = new Outcome("no_session", "");

        public static Outcome failed(String detail) {
            return new Outcome("failed", detail);
        }

        @Override
        public String toString() {
            return detail.isEmpty() ? status : status + ": " + detail;
        }
    }

    /** Where received changes go; the engine's runtime registers itself. */
    public void deliverTo(LocalChanges changes) {
        this.local = changes;
    }

    /**
     * Announces that the client's stored proxies changed and waits for the other live nodes. Returns what each
     * of them did, by node id; empty on a single node.
     */
    public Map<String, Outcome> proxiesChanged(String clientName) {
        return publish("apply", clientName, "");
    }

    /** Announces that the client's sessions must end with {@code cause}, everywhere; waits like the above. */
    public Map<String, Outcome> disconnect(String clientName, String cause) {
        return publish("disconnect", clientName, cause);
    }

    /** Announces that the proxy's visitors its source rules now refuse must go, everywhere; waits likewise. */
    public Map<String, Outcome> closeRefusedVisitors(String clientName, long proxyId) {
        return publish("close-refused", clientName, Long.toString(proxyId));
    }

    private Map<String, Outcome> publish(String kind, String clientName, String cause) {
        if (!running) {
            return Map.of();
        }
        Set<String> others = presence.liveNodes(expiry).stream().map(NodePresence.NodeRow::nodeId)
                .filter(node -> !node.equals(identity.nodeId())).collect(Collectors.toSet());
        if (others.isEmpty()) {
            return Map.of();
        }
        String id = UUID.randomUUID().toString();
        Pending waiting = new Pending(others);
        pending.put(id, waiting);
        try {
            notify(CHANGES, String.join("|", id, identity.nodeId(), kind, clientName, cause));
            waiting.await(ANSWER_TIMEOUT);
        } catch (SQLException e) {
            log.warn("node {} could not announce change {} for client {}: {}", identity.nodeId(), kind, clientName,
                    e.getMessage());
            return others.stream().collect(Collectors.toMap(node -> node,
                    node -> Outcome.failed("not announced: " + e.getMessage()), (a, b) -> a, TreeMap::new));
        } finally {
            pending.remove(id);
        }
        Map<String, Outcome> outcomes = new TreeMap<>(waiting.answers);
        for (String node : others) {
            outcomes.putIfAbsent(node, Outcome.failed("no answer within " + ANSWER_TIMEOUT.toSeconds() + "s"));
        }
        return outcomes;
    }

    @Override
    public void start() {
        if (!database.shared()) {
            return;
        }
        running = true;
        appliers = Executors.newFixedThreadPool(2, r -> {
            Thread thread = new Thread(r, "cluster-apply");
            thread.setDaemon(true);
            return thread;
        });
        listener = new Thread(this::listen, "cluster-listen");
        listener.setDaemon(true);
        listener.start();
    }

    @Override
    public void stop() {
        running = false;
        if (listener != null) {
            listener.interrupt();
            try {
                listener.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            appliers.shutdownNow();
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

    /** Holds one connection LISTENing; when it breaks, takes another and resyncs what it may have missed. */
    private void listen() {
        boolean first = true;
        long backoffMillis = 100;
        while (running) {
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(true);
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + CHANGES);
                    statement.execute("LISTEN " + ACKS);
                }
                if (!first) {
                    log.info("node {} listening for cluster changes again; re-applying stored proxies of its "
                            + "clients", identity.nodeId());
                    LocalChanges changes = local;
                    if (changes != null) {
                        appliers.execute(changes::resync);
                    }
                }
                first = false;
                backoffMillis = 100;
                PGConnection pg = connection.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(500);
                    if (notifications != null) {
                        for (PGNotification notification : notifications) {
                            received(notification.getName(), notification.getParameter());
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (!running) {
                    return;
                }
                log.warn("node {} lost its cluster change listener ({}); retrying in {}ms", identity.nodeId(),
                        e.getMessage(), backoffMillis);
                try {
                    TimeUnit.MILLISECONDS.sleep(backoffMillis);
                } catch (InterruptedException interrupted) {
                    return;
                }
                backoffMillis = Math.min(5_000, backoffMillis * 2);
            }
        }
    }

    /**
     * Sends a notification on a connection of its own in auto-commit: a NOTIFY is delivered at commit, and the
     * caller may run inside a transaction's after-commit hook, whose connection commits nothing more.
     */
    private void notify(String channel, String payload) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                java.sql.PreparedStatement statement = connection.prepareStatement("select pg_notify(?, ?)")) {
            connection.setAutoCommit(true);
            statement.setString(1, channel);
            statement.setString(2, payload);
            statement.execute();
        }
    }

    private void received(String channel, String payload) {
        String[] parts = payload.split("\\|", 5);
        if (ACKS.equals(channel) && parts.length >= 3) {
            Pending waiting = pending.get(parts[0]);
            if (waiting != null) {
                waiting.answer(parts[1], new Outcome(parts[2], parts.length > 3 ? parts[3] : ""));
            }
            return;
        }
        if (!CHANGES.equals(channel) || parts.length < 5 || parts[1].equals(identity.nodeId())) {
            return; // our own announcement, or not one we understand
        }
        String id = parts[0];
        String kind = parts[2];
        String client = parts[3];
        String cause = parts[4];
        appliers.execute(() -> {
            Outcome outcome = apply(kind, client, cause);
            try {
                notify(ACKS, String.join("|", id, identity.nodeId(), outcome.status(),
                        outcome.detail().replace('|', '/')));
            } catch (SQLException | RuntimeException e) {
                log.warn("node {} could not answer change {} for client {}: {}", identity.nodeId(), kind, client,
                        e.getMessage());
            }
        });
    }

    private Outcome apply(String kind, String client, String cause) {
        LocalChanges changes = local;
        if (changes == null) {
            return Outcome.failed("node is starting");
        }
        try {
            return switch (kind) {
                case "apply" -> changes.applyStored(client);
                case "disconnect" -> changes.endSessions(client, cause);
                case "close-refused" -> changes.closeRefusedHere(client, Long.parseLong(cause));
                default -> Outcome.failed("unknown change " + kind);
            };
        } catch (RuntimeException e) {
            log.warn("node {} failed to apply change {} for client {}", identity.nodeId(), kind, client, e);
            return Outcome.failed(String.valueOf(e.getMessage()));
        }
    }

    /** Answers awaited for one announcement. */
    private static final class Pending {
        private final Set<String> expected;
        private final Map<String, Outcome> answers = new ConcurrentHashMap<>();
        private final CountDownLatch all;

        Pending(Set<String> expected) {
            this.expected = expected;
            this.all = new CountDownLatch(expected.size());
        }

        void answer(String node, Outcome outcome) {
            if (expected.contains(node) && answers.putIfAbsent(node, outcome) == null) {
                all.countDown();
            }
        }

        void await(Duration timeout) {
            try {
                all.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
