package io.tunnelplane.control.proxy;

import io.tunnelplane.control.ControlPlaneProperties;
import io.tunnelplane.control.TransactionHooks;
import io.tunnelplane.control.access.AddressBlock;
import io.tunnelplane.control.access.SourceRules;
import io.tunnelplane.control.client.Client;
import io.tunnelplane.control.client.ClientRepository;
import io.tunnelplane.control.runtime.AccessRecord;
import io.tunnelplane.control.runtime.ApplyResult;
import io.tunnelplane.control.runtime.BasicAuthHash;
import io.tunnelplane.control.runtime.LiveSession;
import io.tunnelplane.control.runtime.ProxyDefinition;
import io.tunnelplane.control.runtime.TunnelRuntime;
import io.tunnelplane.control.sso.SiteSignOn;
import io.tunnelplane.control.web.ApiException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Proxy management. Every change is validated, stored and then applied to the client's live session before the
 * transaction commits: if the engine cannot open the port, the change is rolled back and the caller gets a 409.
 */
@Service
@Transactional
public class ProxyService {
    /** Access-log entries a node keeps per proxy (the engine's bound). */
    public static final int ACCESS_KEPT = 256;
    private final ProxyRepository proxies;
    private final ClientRepository clients;
    private final TunnelRuntime runtime;
    private final Clock clock;
    private final int maxProxiesPerClient;

    public ProxyService(ProxyRepository proxies, ClientRepository clients, TunnelRuntime runtime, Clock clock,
            ControlPlaneProperties properties) {
        this.maxProxiesPerClient = properties.maxProxiesPerClient();
        this.proxies = proxies;
        this.clients = clients;
        this.runtime = runtime;
        this.clock = clock;
    }

    public ProxyView create(long clientId, ProxyRequests.Create request) {
        Client client = clients.findById(clientId).orElseThrow(() -> ApiException.notFound("client", clientId));
        if (proxies.existsByClientIdAndName(clientId, request.name())) {
            throw ApiException.conflict("name", "client " + client.getName() + " already has a proxy named "
                    + request.name());
        }
        if (maxProxiesPerClient > 0 && proxies.countByClientId(clientId) >= maxProxiesPerClient) {
            throw ApiException.unprocessable("name", "client " + client.getName() + " already has "
                    + maxProxiesPerClient + " proxies, the limit (tunnel.api.max-proxies-per-client)");
        }
        VirtualHostRouting routing = VirtualHostRouting.of(request, runtime);
        boolean enabled = request.enabled() == null || request.enabled();
        int remotePort = request.remotePort() == null ? 0 : request.remotePort();
        if (routing == VirtualHostRouting.NONE) {
            checkPort(request.type(), remotePort, null, enabled);
        } else {
            for (Proxy other : proxies.findByType(request.type())) {
                String conflict = routing.conflictWith(other, clientId);
                if (conflict != null) {
                    throw ApiException.conflict("customDomains", conflict);
                }
            }
        }
        checkProxyProtocol(request.type(), request.proxyProtocol());
        checkBasicAuth(request.type(), request.httpUser(), request.httpPassword());
        checkSources("allowFrom", request.allowFrom());
        checkSources("denyFrom", request.denyFrom());
        checkTls(request.type(), request.tlsMode(), request.redirectToHttps());
        checkBackendTls(request.type(), "terminate".equals(request.tlsMode()), request.backendTls());
        if (request.sso() != null) {
            checkSignOn(request.type(), "terminate".equals(request.tlsMode()), request.sso());
        }
        Proxy proxy = new Proxy(client, request.name(), request.type(), request.localHost(),
                request.localPort(), remotePort, enabled, request.bandwidthLimit(), clock.instant());
        proxy.proxyProtocol(request.proxyProtocol(), clock.instant());
        proxy.restrictSources(request.allowFrom(), request.denyFrom(), clock.instant());
        proxy.logAccess(request.accessLog() == null || request.accessLog(), clock.instant());
        proxy.signOn(request.sso(), clock.instant());
        proxy.tlsMode(request.tlsMode(), clock.instant());
        proxy.redirectToHttps(Boolean.TRUE.equals(request.redirectToHttps()), clock.instant());
        proxy.backendTls(Boolean.TRUE.equals(request.backendTls()), clock.instant());
        if (request.httpUser() != null) {
            proxy.basicAuth(request.httpUser(), BasicAuthHash.hash(request.httpPassword()), clock.instant());
        }
        if (routing != VirtualHostRouting.NONE) {
            proxy.route(routing.domains(), routing.subdomain(), routing.locations(), routing.hostRewrite(),
                    clock.instant());
        }
        proxies.save(proxy);
        Applied applied = apply(client);
        return view(proxy, applied.live(), applied.nodes(), runtime.listenersByNode(client.getName()));
    }

    @Transactional(readOnly = true)
    public List<ProxyView> list(long clientId) {
        Client client = clients.findById(clientId).orElseThrow(() -> ApiException.notFound("client", clientId));
        return viewsOf(client, runtime.session(client.getName()).orElse(null));
    }

    /** The proxy's newest access-log entries on this node; {@code limit} 1-{@value #ACCESS_KEPT}. */
    @Transactional(readOnly = true)
    public List<AccessRecord> access(long id, Instant since, int limit) {
        if (limit < 1 || limit > ACCESS_KEPT) {
            throw ApiException.invalid("limit", "must be between 1 and " + ACCESS_KEPT);
        }
        return runtime.access(find(id).getId(), since, limit);
    }

    @Transactional(readOnly = true)
    public ProxyView get(long id) {
        Proxy proxy = find(id);
        String client = proxy.getClient().getName();
        return view(proxy, runtime.session(client).orElse(null), Map.of(), runtime.listenersByNode(client));
    }

    public ProxyView update(long id, ProxyRequests.Update request) {
        Proxy proxy = find(id);
        boolean enabled = request.enabled() != null ? request.enabled() : proxy.isEnabled();
        int remotePort = request.remotePort() != null ? request.remotePort() : proxy.getRemotePort();
        if (proxy.isVirtualHost() && request.remotePort() != null) {
            throw ApiException.unprocessable("remotePort", proxy.getType() + " proxies share the server's "
                    + "virtual-host port: leave remotePort out");
        }
        if (!proxy.isVirtualHost()) {
            checkPort(proxy.getType(), remotePort, proxy.getId(), enabled);
        }
        proxy.retarget(request.localHost() != null ? request.localHost() : proxy.getLocalHost(),
                request.localPort() != null ? request.localPort() : proxy.getLocalPort(), remotePort, clock.instant());
        proxy.enable(enabled, clock.instant());
        if (request.proxyProtocol() != null) {
            checkProxyProtocol(proxy.getType(), request.proxyProtocol());
            proxy.proxyProtocol(request.proxyProtocol(), clock.instant());
        }
        if (request.httpUser() != null && request.httpUser().isEmpty()) {
            proxy.basicAuth(null, null, clock.instant());
        } else if (request.httpUser() != null || request.httpPassword() != null) {
            checkBasicAuth(proxy.getType(), request.httpUser(), request.httpPassword());
            proxy.basicAuth(request.httpUser(), BasicAuthHash.hash(request.httpPassword()), clock.instant());
        }
        if (request.bandwidthLimit() != null) {
            proxy.limitBandwidth(request.bandwidthLimit(), clock.instant());
        }
        if (request.accessLog() != null) {
            proxy.logAccess(request.accessLog(), clock.instant());
        }
        if (request.tlsMode() != null || request.redirectToHttps() != null) {
            checkTls(proxy.getType(), request.tlsMode(), request.redirectToHttps());
            if (request.tlsMode() != null) {
                if (!"terminate".equals(request.tlsMode()) && proxy.getSignOn() != null && request.sso() == null) {
                    throw ApiException.unprocessable("tlsMode", "single sign-on needs the server to end TLS: lift "
                            + "sso first, or keep terminate");
                }
                proxy.tlsMode(request.tlsMode(), clock.instant());
            }
            if (request.redirectToHttps() != null) {
                proxy.redirectToHttps(request.redirectToHttps(), clock.instant());
            }
        }
        if (request.backendTls() != null) {
            checkBackendTls(proxy.getType(), proxy.isTerminatingTls(), request.backendTls());
            proxy.backendTls(request.backendTls(), clock.instant());
        } else if (proxy.isBackendTls() && !proxy.isTerminatingTls() && "https".equals(proxy.getType())) {
            throw ApiException.unprocessable("tlsMode", "backendTls needs tlsMode terminate: lift backendTls too");
        }
        if (request.sso() != null) {
            boolean lifted = request.sso().provider() != null && request.sso().provider().isEmpty();
            if (!lifted) {
                checkSignOn(proxy.getType(), proxy.isTerminatingTls(), request.sso());
            }
            proxy.signOn(lifted ? null : request.sso(), clock.instant());
        }
        if (request.allowFrom() != null || request.denyFrom() != null) {
            checkSources("allowFrom", request.allowFrom());
            checkSources("denyFrom", request.denyFrom());
            proxy.restrictSources(request.allowFrom(), request.denyFrom(), clock.instant());
        }
        Applied applied = apply(proxy.getClient());
        if (Boolean.TRUE.equals(request.closeExisting())) {
            String client = proxy.getClient().getName();
            long proxyId = proxy.getId();
            TransactionHooks.afterCommit(() -> runtime.closeRefusedVisitors(client, proxyId));
        }
        return view(proxy, applied.live(), applied.nodes(), runtime.listenersByNode(proxy.getClient().getName()));
    }

    public void delete(long id) {
        Proxy proxy = find(id);
        Client client = proxy.getClient();
        proxies.delete(proxy);
        apply(client);
    }

    /** Views of a client's proxies with their listening state in {@code live} (null when offline). */
    @Transactional(readOnly = true)
    public List<ProxyView> viewsOf(Client client, LiveSession live) {
        Map<String, Set<Long>> byNode = runtime.listenersByNode(client.getName());
        return proxies.findByClientIdOrderById(client.getId()).stream().map(p -> view(p, live, Map.of(), byNode))
                .toList();
    }

    /** The client's enabled proxies in the engine's terms. */
    @Transactional(readOnly = true)
    public List<ProxyDefinition> enabledDefinitions(long clientId) {
        return proxies.findByClientIdAndEnabledTrueOrderById(clientId).stream()
                .map(p -> new ProxyDefinition(p.getId(), p.getName(), p.getType(), p.getLocalHost(),
                        p.getLocalPort(), p.getRemotePort(), p.getCustomDomains(), p.getLocations(),
                        p.getHostHeaderRewrite(), p.getProxyProtocol() != null, p.getHttpUser(),
                        p.getHttpPasswordHash(), SourceRules.of(p.getAllowFrom(), p.getDenyFrom()),
                        orZero(p.getBandwidthLimit()), orZero(p.getClient().getBandwidthLimit()), p.isAccessLog(),
                        p.getSignOn(), p.isTerminatingTls(), p.isRedirectToHttps(), p.isBackendTls()))
                .toList();
    }

    private Proxy find(long id) {
        return proxies.findById(id).orElseThrow(() -> ApiException.notFound("proxy", id));
    }

    /** Basic auth is asked by the HTTP virtual host, so only http proxies have it, and a user needs a password. */
    private static void checkBasicAuth(String type, String user, String password) {
        if (user == null && password == null) {
            return;
        }
        if (user == null || password == null) {
            throw ApiException.invalid(user == null ? "httpUser" : "httpPassword",
                    "httpUser and httpPassword are given together");
        }
        if (!"http".equals(type)) {
            throw ApiException.unprocessable("httpUser", "basic auth is asked by the HTTP virtual host: http "
                    + "proxies only (an https proxy's TLS is not opened by the server)");
        }
    }

    /**
     * Sign-on is asked by the HTTP virtual host (http proxies), with one of the server's identity providers; the
     * refusal names the field and, for an unknown provider, the ones there are.
     */
    private void checkSignOn(String type, boolean terminatesTls, SiteSignOn signOn) {
        if (!"http".equals(type) && !("https".equals(type) && terminatesTls)) {
            throw ApiException.unprocessable("sso", "single sign-on is asked by the server's HTTP handling: http "
                    + "proxies, and https proxies with tlsMode terminate (a passed-through TLS is never opened)");
        }
        if (signOn.provider() == null || signOn.provider().isBlank()) {
            throw ApiException.invalid("sso.provider", "must name one of the server's identity providers");
        }
        Set<String> known = runtime.signOnProviders();
        if (!known.contains(signOn.provider())) {
            throw ApiException.unprocessable("sso.provider", "no identity provider named " + signOn.provider()
                    + " is configured (tunnel.server.sso.providers: " + (known.isEmpty() ? "none"
                    : String.join(", ", new TreeSet<>(known))) + ")");
        }
    }

    /** Only an https proxy's TLS can be ended at the server, and only an http proxy sends visitors to https. */
    private static void checkTls(String type, String tlsMode, Boolean redirectToHttps) {
        if (tlsMode != null && !"https".equals(type)) {
            throw ApiException.unprocessable("tlsMode", "only https proxies carry TLS to pass through or end");
        }
        if (Boolean.TRUE.equals(redirectToHttps) && !"http".equals(type)) {
            throw ApiException.unprocessable("redirectToHttps", "only http proxies redirect to https");
        }
    }

    /**
     * TLS towards the local service is added by the agent to HTTP the server forwards: http proxies, and https
     * proxies whose TLS the server ends (a passed-through TLS already reaches the service as TLS).
     */
    private static void checkBackendTls(String type, boolean terminatesTls, Boolean backendTls) {
        if (Boolean.TRUE.equals(backendTls) && !"http".equals(type) && !("https".equals(type) && terminatesTls)) {
            throw ApiException.unprocessable("backendTls", "only http proxies and https proxies with tlsMode "
                    + "terminate forward plain HTTP that could be encrypted again");
        }
    }

    private static long orZero(Long limit) {
        return limit == null ? 0 : limit;
    }

    /** Each entry an address or CIDR block: a refusal names the entry, {@code allowFrom[2]}. */
    private static void checkSources(String field, List<String> entries) {
        if (entries == null) {
            return;
        }
        for (int i = 0; i < entries.size(); i++) {
            try {
                AddressBlock.parse(entries.get(i));
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid(field + "[" + i + "]", e.getMessage());
            }
        }
    }

    private static void checkProxyProtocol(String type, String version) {
        if ("udp".equals(type) && "v2".equals(version)) {
            throw ApiException.unprocessable("proxyProtocol", "the PROXY protocol header is sent on stream "
                    + "connections (tcp, http, https), not on udp proxies");
        }
    }

    private void checkPort(String type, int port, Long self, boolean enabled) {
        if (!runtime.portAllowed(port)) {
            throw ApiException.unprocessable("remotePort", "port " + port + " is outside tunnel.server.allow-ports ("
                    + runtime.allowedPorts() + ")");
        }
        if (enabled) {
            proxies.findByActiveRemotePort(Proxy.portKey(type, port))
                    .filter(other -> !other.getId().equals(self))
                    .ifPresent(other -> {
                        throw ApiException.conflict("remotePort", type + " port " + port + " is already used by proxy "
                                + other.getClient().getName() + "/" + other.getName());
                    });
        }
    }

    /** The client's live state on this node after a change, and what the other nodes did with it. */
    private record Applied(LiveSession live, Map<String, String> nodes) {
    }

    /**
     * Pushes the client's stored proxies to its sessions on this node; a refusal rolls the transaction back. Other
     * nodes read the change from the database, so it is announced to them once committed, and the answer waits for
     * them (bounded): {@code nodes} is filled before the API serialises the view.
     */
    /** Hands the engine the client's proxies again, after a change of the client that they carry (its limit). */
    public void reapply(Client client) {
        apply(client);
    }

    private Applied apply(Client client) {
        proxies.flush();
        ApplyResult result = runtime.apply(client.getName(), enabledDefinitions(client.getId()));
        if (!result.ok()) {
            throw ApiException.conflict("remotePort", result.failures().values().stream()
                    .collect(Collectors.joining("; ")));
        }
        Map<String, String> nodes = new TreeMap<>();
        String name = client.getName();
        TransactionHooks.afterCommit(() -> nodes.putAll(runtime.propagate(name)));
        return new Applied(runtime.session(client.getName()).orElse(null), nodes);
    }

    private static ProxyView view(Proxy proxy, LiveSession live, Map<String, String> nodes,
            Map<String, Set<Long>> listenersByNode) {
        String state;
        if (!proxy.isEnabled()) {
            state = "disabled";
        } else if (live == null) {
            state = "offline";
        } else {
            state = Boolean.TRUE.equals(live.listening().get(proxy.getId())) ? "listening" : "not_listening";
        }
        Map<String, String> nodeStates = new TreeMap<>();
        if (proxy.isEnabled()) {
            listenersByNode.forEach((node, listening) -> nodeStates.put(node,
                    listening.contains(proxy.getId()) ? "listening" : "not_listening"));
        }
        return ProxyView.of(proxy, state, live == null ? null : live.unreachable().get(proxy.getId()), nodes,
                nodeStates);
    }
}
