package io.tunnelplane.server.runtime;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.tunnelplane.control.TransactionHooks;
import io.tunnelplane.control.client.ClientAuthority;
import io.tunnelplane.control.cluster.NodePresence;
import io.tunnelplane.control.runtime.AccessRecord;
import io.tunnelplane.control.runtime.ApplyResult;
import io.tunnelplane.control.runtime.ClientLogin;
import io.tunnelplane.control.runtime.LiveSession;
import io.tunnelplane.control.runtime.OidcClient;
import io.tunnelplane.control.runtime.ProxyDefinition;
import io.tunnelplane.control.runtime.TrafficSample;
import io.tunnelplane.control.runtime.TunnelRuntime;
import io.tunnelplane.protocol.DisconnectCause;
import io.tunnelplane.protocol.control.ProxySpec;
import io.tunnelplane.server.accesslog.AccessLog;
import io.tunnelplane.server.admission.VisitorAccess;
import io.tunnelplane.server.admission.VisitorAddress;
import io.tunnelplane.server.client.ProxyPolicies;
import io.tunnelplane.server.client.StoredClientDirectory;
import io.tunnelplane.server.cluster.ChangeBus;
import io.tunnelplane.server.cluster.ClusterDatabase;
import io.tunnelplane.server.cluster.NodeIdentity;
import io.tunnelplane.server.config.PortRange;
import io.tunnelplane.server.config.TunnelServerProperties;
import io.tunnelplane.server.history.TrafficHistory;
import io.tunnelplane.server.session.AgentSession;
import io.tunnelplane.server.session.ProxyListener;
import io.tunnelplane.server.session.SessionGroup;
import io.tunnelplane.server.session.SessionRegistry;
import io.tunnelplane.server.tls.ServerIdentity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * The engine's side of the control plane's port: live state from the session registry, and proxy changes applied
 * to a client's session group on the group's own event loop (the calling web thread waits, bounded). Changes also
 * reach the client's sessions on the other nodes through the {@link ChangeBus}, and changes announced by other
 * nodes arrive here.
 */
@Component
public class EngineRuntime implements TunnelRuntime, ChangeBus.LocalChanges {
    private static final Duration APPLY_TIMEOUT = Duration.ofSeconds(5);
    private static final Logger log = LoggerFactory.getLogger("io.tunnelplane.cluster");

    private final SessionRegistry registry;
    private final PortRange allowed;
    private final String allowedText;
    private final ServerIdentity identity;
    private final TunnelServerProperties.Vhost vhost;
    private final ProxyPolicies policies;
    private final String node;
    private final ChangeBus bus;
    private final NodePresence presence;
    private final ClusterDatabase cluster;
    private final Duration nodeExpiry;
    private final String advertised;
    private final int agentPort;
    private final TrafficHistory traffic;
    private final VisitorAccess access;
    private final AccessLog accessLog;
    private final TunnelServerProperties.Sso sso;
    /** Lazily: the control plane's services depend on this runtime in turn. */
    private final ObjectProvider<ClientAuthority> authority;

    public EngineRuntime(SessionRegistry registry, TunnelServerProperties properties, ServerIdentity identity,
            ProxyPolicies policies, NodeIdentity nodeIdentity, ChangeBus bus,
            ObjectProvider<ClientAuthority> authority, NodePresence presence, ClusterDatabase cluster,
            TrafficHistory traffic, VisitorAccess access, AccessLog accessLog) {
        this.accessLog = accessLog;
        this.policies = policies;
        this.traffic = traffic;
        this.access = access;
        this.node = nodeIdentity.nodeId();
        this.presence = presence;
        this.cluster = cluster;
        this.nodeExpiry = nodeIdentity.nodeExpiry();
        this.bus = bus;
        this.authority = authority;
        bus.deliverTo(this);
        this.identity = identity;
        this.vhost = properties.vhost();
        this.registry = registry;
        this.allowed = properties.allowedPorts();
        this.allowedText = properties.allowPorts();
        this.advertised = properties.advertiseAddress();
        this.agentPort = properties.bindPort();
        this.sso = properties.sso();
    }

    @Override
    public List<TrafficSample> history(String clientName) {
        return traffic.of(clientName);
    }

    @Override
    public List<AccessRecord> access(long proxyId, Instant since, int limit) {
        return accessLog.recent(proxyId, since, limit);
    }

    @Override
    public TrafficSample trafficNow() {
        return traffic.now();
    }

    @Override
    public Optional<LiveSession> session(String clientName) {
        Optional<LiveSession> here = registry.find(clientName).flatMap(this::live);
        if (!cluster.shared()) {
            return here;
        }
        List<NodePresence.SessionRow> elsewhere = presence.sessionsOf(clientName, nodeExpiry).stream()
                .filter(row -> !row.nodeId().equals(node)).toList();
        return elsewhere.isEmpty() ? here : Optional.of(withElsewhere(here.orElse(null), elsewhere));
    }

    @Override
    public Map<String, Set<Long>> listenersByNode(String clientName) {
        if (!cluster.shared()) {
            return Map.of();
        }
        Map<String, Set<Long>> byNode = new TreeMap<>();
        presence.sessionsOf(clientName, nodeExpiry).forEach(row -> byNode.put(row.nodeId(), Set.of()));
        presence.listenersOf(clientName, nodeExpiry).forEach(byNode::put);
        // This node's own listeners as they are now, not as of its last heartbeat.
        byNode.remove(node);
        registry.find(clientName).filter(group -> !group.live().isEmpty())
                .ifPresent(group -> byNode.put(node, Set.copyOf(group.listeners().keySet())));
        return byNode;
    }

    /**
     * The client's view across the cluster: this node's sessions with their RTT and streams, the other nodes'
     * from the presence rows (RTT unknown, streams -1: those stay with their node). Healthy when every node holds
     * as many sessions as the agent keeps to it.
     */
    private static LiveSession withElsewhere(LiveSession here, List<NodePresence.SessionRow> elsewhere) {
        List<LiveSession.Connection> connections = new ArrayList<>(here == null ? List.of()
                : here.connections());
        Map<String, int[]> upAndWanted = new TreeMap<>();
        for (NodePresence.SessionRow row : elsewhere) {
            connections.add(new LiveSession.Connection(row.sessionId(), row.nodeId(), row.since(),
                    row.remoteAddress(), null, -1, null));
            int[] counts = upAndWanted.computeIfAbsent(row.nodeId(), n -> new int[2]);
            counts[0]++;
            counts[1] = Math.max(counts[1], row.wanted());
        }
        boolean healthy = (here == null || !"degraded".equals(here.state()))
                && upAndWanted.values().stream().allMatch(counts -> counts[0] >= counts[1]);
        int wanted = (here == null ? 0 : here.wantedConnections())
                + upAndWanted.values().stream().mapToInt(counts -> counts[1]).sum();
        String state = healthy ? "healthy" : "degraded";
        if (here != null) {
            return new LiveSession(here.sessionId(), here.connectedAt(), here.remoteAddress(), here.lastRtt(),
                    here.agentVersion(), here.agentOs(), here.agentJvm(), here.agentHostname(), here.listening(),
                    here.unreachable(), here.keepalive(), here.host(), state, wanted, connections);
        }
        // Connected to other nodes only: what they know stays with them; this node serves none of its proxies.
        NodePresence.SessionRow newest = elsewhere.get(elsewhere.size() - 1);
        return new LiveSession(newest.sessionId(), newest.since(), newest.remoteAddress(), null, null, null, null,
                null, Map.of(), Map.of(), null, null, state, wanted, connections);
    }

    private Optional<LiveSession> live(SessionGroup group) {
        List<AgentSession> live = group.live().stream().sorted(Comparator.comparing(AgentSession::connectedAt))
                .toList();
        if (live.isEmpty()) {
            return Optional.empty();
        }
        AgentSession s = live.get(live.size() - 1);
        Map<Long, Boolean> listening = new HashMap<>();
        for (ProxySpec proxy : group.proxies()) {
            ProxyListener listener = group.listeners().get(proxy.id());
            listening.put(proxy.id(), listener != null && listener.listening());
        }
        List<LiveSession.Connection> connections = live.stream().map(c -> new LiveSession.Connection(c.sessionId(),
                node, c.connectedAt(), String.valueOf(c.remoteAddress()), c.lastRtt(), c.activeStreams(),
                c.probeWaiting())).toList();
        return Optional.of(new LiveSession(s.sessionId(), s.connectedAt(), String.valueOf(s.remoteAddress()),
                s.lastRtt(), s.info().agentVersion(), s.info().host().os(), s.info().host().jvm(),
                s.info().host().hostname(), listening, group.localProblems(), new LiveSession.Keepalive(
                        s.info().askedKeepaliveTimeMillis(), s.info().askedKeepaliveTimeoutMillis(),
                        s.info().keepalive().time().toMillis(), s.info().keepalive().timeout().toMillis()), s.host(),
                group.state().wireName(), group.wanted(), connections));
    }

    @Override
    public ApplyResult apply(String clientName, List<ProxyDefinition> enabled) {
        // Applied inside the API's transaction (ADR 0005): the change is settled once that transaction ended.
        registry.changeArriving();
        TransactionHooks.afterCompletion(registry::changeSettled);
        return applyToSessions(clientName, enabled);
    }

    /** Gives the client's sessions on this node {@code enabled}; the caller counts the change as arriving. */
    private ApplyResult applyToSessions(String clientName, List<ProxyDefinition> enabled) {
        policies.take(clientName, enabled);
        Optional<SessionGroup> found = registry.find(clientName).filter(g -> !g.live().isEmpty());
        if (found.isEmpty()) {
            return ApplyResult.OFFLINE;
        }
        List<ProxySpec> wanted = enabled.stream().map(StoredClientDirectory::spec).toList();
        try {
            Map<Long, String> failures = found.get().apply(wanted).get(APPLY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return new ApplyResult(true, failures);
        } catch (TimeoutException e) {
            return new ApplyResult(true, Map.of(-1L, "the engine did not apply the change within " + APPLY_TIMEOUT));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ApplyResult(true, Map.of(-1L, "interrupted"));
        } catch (ExecutionException e) {
            return new ApplyResult(true, Map.of(-1L, String.valueOf(e.getCause().getMessage())));
        }
    }

    @Override
    public Map<String, String> propagate(String clientName) {
        Map<String, String> outcomes = new TreeMap<>();
        bus.proxiesChanged(clientName).forEach((other, outcome) -> outcomes.put(other, outcome.toString()));
        return outcomes;
    }

    @Override
    public void closeRefusedVisitors(String clientName, long proxyId) {
        closeRefusedHere(clientName, proxyId);
        bus.closeRefusedVisitors(clientName, proxyId);
    }

    @Override
    public ChangeBus.Outcome closeRefusedHere(String clientName, long proxyId) {
        Optional<SessionGroup> group = registry.find(clientName);
        if (group.isEmpty()) {
            return ChangeBus.Outcome.NO_SESSION;
        }
        int closed = 0;
        for (Channel visitor : group.get().visitors(proxyId)) {
            if (!access.admits(clientName, proxyId, VisitorAddress.of(visitor))) {
                visitor.config().setOption(ChannelOption.SO_LINGER, 0);
                visitor.close();
                closed++;
            }
        }
        if (closed > 0) {
            log.info("closed {} visitor connection(s) of client={} proxy_id={} that its source rules now refuse",
                    closed, clientName, proxyId);
        }
        return ChangeBus.Outcome.APPLIED;
    }

    @Override
    public boolean disconnect(String clientName, String cause) {
        boolean here = registry.disconnect(clientName, DisconnectCause.fromWire(cause));
        boolean elsewhere = bus.disconnect(clientName, cause).values().stream()
                .anyMatch(outcome -> outcome.equals(ChangeBus.Outcome.APPLIED));
        return here || elsewhere;
    }

    /** A change announced by another node: this node's sessions of the client get the stored proxies. */
    @Override
    public ChangeBus.Outcome applyStored(String clientName) {
        registry.changeArriving();
        try {
            return applyStoredNow(clientName);
        } finally {
            registry.changeSettled();
        }
    }

    private ChangeBus.Outcome applyStoredNow(String clientName) {
        if (registry.find(clientName).filter(g -> !g.live().isEmpty()).isEmpty()) {
            return ChangeBus.Outcome.NO_SESSION;
        }
        Optional<ClientLogin> stored = authority.getObject().findEnabled(clientName);
        if (stored.isEmpty()) {
            // Disabled or deleted meanwhile: its disconnect announcement ends the sessions.
            return ChangeBus.Outcome.NO_SESSION;
        }
        ApplyResult result = applyToSessions(clientName, stored.get().proxies());
        if (!result.online()) {
            return ChangeBus.Outcome.NO_SESSION;
        }
        return result.ok() ? ChangeBus.Outcome.APPLIED
                : ChangeBus.Outcome.failed(String.join("; ", result.failures().values()));
    }

    @Override
    public ChangeBus.Outcome endSessions(String clientName, String cause) {
        return registry.disconnect(clientName, DisconnectCause.fromWire(cause))
                ? ChangeBus.Outcome.APPLIED : ChangeBus.Outcome.NO_SESSION;
    }

    @Override
    public void resync() {
        for (SessionGroup group : registry.groups()) {
            ChangeBus.Outcome outcome = applyStored(group.clientId());
            if (outcome.status().equals("failed")) {
                log.warn("client {} resync after missed cluster changes: {}", group.clientId(), outcome.detail());
            }
        }
    }

    @Override
    public Set<String> signOnProviders() {
        return sso.providers().keySet();
    }

    @Override
    public Optional<OidcClient> signOnProvider(String name) {
        return Optional.ofNullable(sso.providers().get(name)).map(p -> new OidcClient(name, p.issuerUri(),
                p.clientId(), p.clientSecret(), p.scopes(), p.groupsClaim()));
    }

    @Override
    public Duration signOnLifetime() {
        return sso.sessionLifetime();
    }

    @Override
    public boolean portAllowed(int port) {
        return allowed.contains(port);
    }

    @Override
    public String allowedPorts() {
        return allowedText;
    }

    @Override
    public String agentAddress(String requestHost) {
        return advertised != null && !advertised.isBlank() ? advertised : requestHost + ":" + agentPort;
    }

    @Override
    public Optional<String> serverKeyPin() {
        return identity.pin();
    }

    @Override
    public int virtualHostPort(String type) {
        return ProxySpec.HTTP.equals(type) ? vhost.httpPort() : ProxySpec.HTTPS.equals(type) ? vhost.httpsPort() : 0;
    }

    @Override
    public Optional<String> subdomainHost() {
        return Optional.ofNullable(vhost.subdomainHost()).filter(h -> !h.isBlank()).map(h -> h.strip().toLowerCase());
    }

    @Override
    public List<String> allowedDomains() {
        return vhost.allowedDomains().stream().map(d -> d.strip().toLowerCase()).filter(d -> !d.isEmpty()).toList();
    }
}
