package io.tunnelplane.control.runtime;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the control plane needs from the tunnel engine, implemented by the engine. Calls may block for a bounded
 * time (the engine binds ports on its own threads) and are made after validation, inside the transaction that
 * stores the change, so that a change the engine refuses is rolled back.
 */
public interface TunnelRuntime {
    /** The client's live session, if it is online on this node. */
    Optional<LiveSession> session(String clientName);

    /**
     * Makes {@code enabled} the client's complete set of proxies on its live session: listeners open and close,
     * the agent gets the new list. All or nothing: when a port cannot be bound nothing changes and the result
     * names the failures. Offline clients get them at their next login.
     */
    ApplyResult apply(String clientName, List<ProxyDefinition> enabled);

    /**
     * Tells the other nodes of the cluster that the client's stored proxies changed (call after commit: they read
     * them from the database) and waits for them, bounded. Returns what each did, by node id: {@code applied},
     * {@code no_session}, or {@code failed: <reason>}; empty on a single node.
     */
    default Map<String, String> propagate(String clientName) {
        return Map.of();
    }

    /**
     * Ends the client's sessions with {@code cause} (a disconnect cause wire name), on every node of the cluster;
     * false when it had none.
     */
    boolean disconnect(String clientName, String cause);

    /**
     * Ends the visitor connections of the proxy that its source rules now refuse, on every node (call after the
     * change is committed and applied).
     */
    default void closeRefusedVisitors(String clientName, long proxyId) {
    }

    /** Names of the identity providers http proxies may send visitors to ({@code tunnel.server.sso.providers}). */
    default Set<String> signOnProviders() {
        return Set.of();
    }

    /** The OpenID Connect provider {@code name} as configured on the server, for the console's operator sign-in. */
    default Optional<OidcClient> signOnProvider(String name) {
        return Optional.empty();
    }

    /** How long a visitor's sign-on lasts ({@code tunnel.server.sso.session-lifetime}), which keys must outlive. */
    default Duration signOnLifetime() {
        return Duration.ofHours(12);
    }

    /** Whether {@code tunnel.server.allow-ports} permits the port. */
    boolean portAllowed(int port);

    /** {@code tunnel.server.allow-ports} as configured, for error messages. */
    String allowedPorts();

    /**
     * The agent port's TLS key pin, which tokens handed to agents carry ({@code <token>~<pin>}) so an agent can
     * verify the server; empty when the agent port is plain TCP.
     */
    default Optional<String> serverKeyPin() {
        return Optional.empty();
    }

    /**
     * What an agent passes as {@code --server} to reach this node: its advertised address, else {@code requestHost}
     * (the name the operator reached the console by) with the agent port.
     */
    default String agentAddress(String requestHost) {
        return requestHost;
    }

    /** The shared port of {@code http} or {@code https} proxies, or 0 when this server has none configured. */
    default int virtualHostPort(String type) {
        return 0;
    }

    /** {@code tunnel.server.vhost.subdomain-host}: the base domain of proxies that give a subdomain, or empty. */
    default Optional<String> subdomainHost() {
        return Optional.empty();
    }

    /** {@code tunnel.server.vhost.allowed-domains}: domains custom domains must fall under; empty allows any. */
    default List<String> allowedDomains() {
        return List.of();
    }

    /**
     * For each node holding a session of the client, the proxies whose public listener it has open (as of that
     * node's last heartbeat; this node's own as of now). Empty on a single node.
     */
    default Map<String, Set<Long>> listenersByNode(String clientName) {
        return Map.of();
    }

    /**
     * The client's traffic and RTT on this node over the recent past (oldest first, one sample per period while it
     * had a session here); empty where the engine keeps none.
     */
    default List<TrafficSample> history(String clientName) {
        return List.of();
    }

    /**
     * The proxy's newest access-log entries on this node, newest first: at most {@code limit}, none older than
     * {@code since} (null: any age).
     */
    default List<AccessRecord> access(long proxyId, Instant since, int limit) {
        return List.of();
    }

    /** Every client's traffic on this node in the newest sampling period, summed; null where none is kept. */
    default TrafficSample trafficNow() {
        return null;
    }
}
