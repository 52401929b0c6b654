package io.tunnelplane.server.cluster;

import io.tunnelplane.control.cluster.NodePresence;
import io.tunnelplane.server.config.TunnelServerProperties;
import io.tunnelplane.server.session.SessionRegistry;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * {@code cluster} health, part of readiness: a node that joins a running cluster (a restart in a rolling upgrade)
 * is not ready until every client connected to another node has connected here too and its public listeners are
 * open, so a load balancer does not send it visitors it has no session or port for (a balancer that found the port
 * still closed retried for two seconds before it gave up on the visitor); after {@code tunnel.server.cluster.startup-wait} it is ready anyway (a
 * client whose agent cannot reach this node must not keep it out forever). Once ready, it stays ready.
 */
@Component("cluster")
public class ClusterWarmup implements HealthIndicator {
    private final NodePresence presence;
    private final NodeIdentity identity;
    private final SessionRegistry registry;
    private final ClusterDatabase database;
    private final Duration expiry;
    private final Duration startupWait;
    private final long startedNanos = System.nanoTime();
    private volatile boolean warm;

    public ClusterWarmup(NodePresence presence, NodeIdentity identity, SessionRegistry registry,
            ClusterDatabase database, TunnelServerProperties properties) {
        this.presence = presence;
        this.identity = identity;
        this.registry = registry;
        this.database = database;
        this.expiry = properties.cluster().nodeExpiry();
        this.startupWait = properties.cluster().startupWait();
        this.warm = !database.shared();
    }

    @Override
    public Health health() {
        if (warm) {
            return Health.up().withDetail("node", identity.nodeId()).build();
        }
        List<String> missing = presence.clientsElsewhere(identity.nodeId(), expiry).stream()
                .filter(client -> registry.find(client)
                        .filter(group -> !group.live().isEmpty() && group.allListening()).isEmpty())
                .toList();
        Duration waited = Duration.ofNanos(System.nanoTime() - startedNanos);
        if (missing.isEmpty() || waited.compareTo(startupWait) >= 0) {
            warm = true;
            return Health.up().withDetail("node", identity.nodeId())
                    .withDetail("clientsNotConnectedHere", missing.size()).build();
        }
        return Health.outOfService().withDetail("node", identity.nodeId())
                .withDetail("waitingForClients", missing.size())
                .withDetail("readyAtTheLatestInMillis", startupWait.minus(waited).toMillis()).build();
    }
}
