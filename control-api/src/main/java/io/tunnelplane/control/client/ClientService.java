package io.tunnelplane.control.client;

import io.tunnelplane.control.TransactionHooks;
import io.tunnelplane.control.proxy.ProxyService;
import io.tunnelplane.control.quota.TrafficQuotas;
import io.tunnelplane.control.runtime.LiveSession;
import io.tunnelplane.control.runtime.TrafficSample;
import io.tunnelplane.control.runtime.TunnelRuntime;
import io.tunnelplane.control.web.ApiException;
import java.time.Clock;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageImpl;
import org.springframework.data.domain.Pageable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Client management: create with a fresh token, enable/disable, rotate, delete, kick. */
@Service
@Transactional
public class ClientService {
    /** Wire names of the disconnect causes the control plane asks for. */
    static final String KICKED = "kicked";
    static final String CREDENTIALS_REVOKED = "credentials_revoked";

    private final ClientRepository clients;
    private final ProxyService proxies;
    private final TunnelRuntime runtime;
    private final Clock clock;
    private final TrafficQuotas quotas;

    public ClientService(ClientRepository clients, ProxyService proxies, TunnelRuntime runtime, Clock clock,
            TrafficQuotas quotas) {
        this.quotas = quotas;
        this.clients = clients;
        this.proxies = proxies;
        this.runtime = runtime;
        this.clock = clock;
    }

    public ClientViews.Created create(ClientRequests.Create request) {
        if (clients.existsByName(request.name())) {
            throw ApiException.conflict("name", "a client named " + request.name() + " already exists");
        }
        String token = ClientTokens.newToken(request.name());
        Client client = new Client(request.name(), request.description(),
                request.labels() == null ? Map.of() : request.labels(), ClientTokens.keyHex(token), clock.instant());
        client.limitBandwidth(request.bandwidthLimit(), clock.instant());
        client.limitMonthlyTraffic(request.monthlyQuota(), clock.instant());
        client = clients.save(client);
        return created(client, token);
    }

    /** The token as an agent needs it: with the server's key pin, so {@code --token} alone verifies the server. */
    private ClientViews.Created created(Client client, String token) {
        String pin = runtime.serverKeyPin().orElse(null);
        return new ClientViews.Created(client.getId(), client.getName(), pin == null ? token : token + "~" + pin, pin,
                ClientViews.Summary.of(client, false));
    }

    @Transactional(readOnly = true)
    public Page<ClientViews.Summary> list(Pageable pageable) {
        return clients.findAll(pageable).map(c -> ClientViews.Summary.of(c, runtime.session(c.getName()).isPresent()));
    }

    /** Clients whose connected agent reports {@code agentVersion} (a rollout view; live state, so in memory). */
    @Transactional(readOnly = true)
    public Page<ClientViews.Summary> listByAgentVersion(String agentVersion, Pageable pageable) {
        List<ClientViews.Summary> matching = clients.findAll(pageable.getSort()).stream()
                .filter(c -> runtime.session(c.getName()).filter(s -> agentVersion.equals(s.agentVersion())).isPresent())
                .map(c -> ClientViews.Summary.of(c, true))
                .toList();
        int from = (int) Math.min(pageable.getOffset(), matching.size());
        int to = Math.min(from + pageable.getPageSize(), matching.size());
        return new PageImpl<>(matching.subList(from, to), pageable, matching.size());
    }

    @Transactional(readOnly = true)
    public ClientViews.Detail get(long id) {
        Client c = find(id);
        LiveSession live = runtime.session(c.getName()).orElse(null);
        long used = quotas.used(c.getId(), YearMonth.now(clock));
        return new ClientViews.Detail(c.getId(), c.getName(), c.getDescription(), c.isEnabled(), c.getLabels(),
                c.getBandwidthLimit(), c.getMonthlyQuota(), used,
                c.getMonthlyQuota() != null && used >= c.getMonthlyQuota(),
                c.getCreatedAt(), c.getUpdatedAt(), c.getLastSeenAt(), ClientViews.Live.of(live),
                proxies.viewsOf(c, live));
    }

    /** The client's traffic and RTT on this node over the last half hour, oldest first. */
    @Transactional(readOnly = true)
    public List<TrafficSample> traffic(long id) {
        return runtime.history(find(id).getName());
    }

    /** The client's live connection set, if it has one. */
    @Transactional(readOnly = true)
    public Optional<LiveSession> live(long id) {
        return runtime.session(find(id).getName());
    }

    public ClientViews.Detail update(long id, ClientRequests.Update request) {
        Client client = find(id);
        if (request.description() != null) {
            client.describe(request.description(), clock.instant());
        }
        if (request.labels() != null) {
            client.label(request.labels(), clock.instant());
        }
        if (request.bandwidthLimit() != null) {
            client.limitBandwidth(request.bandwidthLimit(), clock.instant());
            proxies.reapply(client); // the engine enforces it with the proxies' own limits
        }
        if (request.monthlyQuota() != null) {
            client.limitMonthlyTraffic(request.monthlyQuota(), clock.instant()); // nodes read it within a minute
        }
        if (request.enabled() != null && request.enabled() != client.isEnabled()) {
            client.enable(request.enabled(), clock.instant());
            if (!request.enabled()) {
                String name = client.getName();
                TransactionHooks.afterCommit(() -> runtime.disconnect(name, CREDENTIALS_REVOKED));
            }
        }
        clients.flush();
        return get(id);
    }

    public void delete(long id) {
        Client client = find(id);
        String name = client.getName();
        clients.delete(client);
        TransactionHooks.afterCommit(() -> runtime.disconnect(name, CREDENTIALS_REVOKED));
    }

    /** A new token replaces the old one; sessions logged in with the old one are ended. */
    public ClientViews.Created rotateToken(long id) {
        Client client = find(id);
        String token = ClientTokens.newToken(client.getName());
        client.rotateTokenKey(ClientTokens.keyHex(token), clock.instant());
        String name = client.getName();
        TransactionHooks.afterCommit(() -> runtime.disconnect(name, CREDENTIALS_REVOKED));
        return created(client, token);
    }

    /** Kicks the client's session (cause {@code kicked}); returns whether it was online. */
    @Transactional(readOnly = true)
    public boolean disconnect(long id) {
        return runtime.disconnect(find(id).getName(), KICKED);
    }

    private Client find(long id) {
        return clients.findById(id).orElseThrow(() -> ApiException.notFound("client", id));
    }
}
