package io.tunnelplane.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tunnelplane.protocol.DisconnectCause;
import io.tunnelplane.protocol.pause.PauseWatchdog;
import io.tunnelplane.server.config.TunnelServerProperties;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.function.ToIntFunction;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The engine's one metrics recorder. Meters are cached per tag value so the hot path does a map lookup, not a
 * registry lookup. Tags are bounded: client and proxy names (configuration) and causes, never addresses or ports.
 *
 * <p>Most calls come from event loops. A meter not seen before is registered on a thread of its own and counted
 * there: registering takes the registry's lock, which a reconnect storm of a thousand new clients held for 12 to
 * 25 ms at a time against every event loop (docs/benchmarks.md). The new series shows up a moment later.
 */
@Component
public class TunnelMetrics {
    private final MeterRegistry registry;
    private final Executor registrar;
    private final AtomicInteger sessionsActive = new AtomicInteger();
    private final AtomicInteger streamsActive = new AtomicInteger();
    private final Map<String, Counter> disconnects = new ConcurrentHashMap<>();
    private final Map<String, Counter> loginsRefused = new ConcurrentHashMap<>();
    private final Map<String, Counter> connectionsRefused = new ConcurrentHashMap<>();
    private final Map<String, Counter> vhostConnections = new ConcurrentHashMap<>();
    private final Map<String, Counter> vhostResponses = new ConcurrentHashMap<>();
    private final Map<String, Timer> heartbeatRtt = new ConcurrentHashMap<>();
    private final Map<String, Counter> keepaliveTimeouts = new ConcurrentHashMap<>();
    private final Map<String, Counter> reconnects = new ConcurrentHashMap<>();
    private final Map<String, Counter> agentPauses = new ConcurrentHashMap<>();
    private final Map<String, DistributionSummary> proxyBytes = new ConcurrentHashMap<>();
    private final Map<String, Counter> proxyConnections = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> clientOnline = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> agentsByVersion = new ConcurrentHashMap<>();
    private final Map<String, Gauge> connectionGauges = new ConcurrentHashMap<>();
    private final Timer sessionDuration;
    /** Heartbeat RTT buckets in microseconds, from loopback to satellite. */
    private static final Duration[] RTT_BUCKETS = java.util.stream.LongStream.of(250, 500, 1_000, 2_000, 5_000,
                    10_000, 20_000, 50_000, 100_000, 200_000, 350_000, 500_000, 1_000_000, 2_000_000, 5_000_000,
                    10_000_000)
            .mapToObj(micros -> Duration.ofNanos(micros * 1_000)).toArray(Duration[]::new);
    private final ClientLabels clients;
    /** Live connections of the clients counted under {@link ClientLabels#OTHER}, summed into one gauge. */
    private final Map<String, IntSupplier> otherConnections = new ConcurrentHashMap<>();

    @Autowired
    public TunnelMetrics(MeterRegistry registry, TunnelServerProperties properties) {
        this(registry, properties, Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "metrics-registrar");
            thread.setDaemon(true);
            return thread;
        }));
    }

    /** With {@code registrar} running the registrations of new meters (tests pass a direct executor). */
    TunnelMetrics(MeterRegistry registry, TunnelServerProperties properties, Executor registrar) {
        this.registry = registry;
        this.registrar = registrar;
        this.clients = new ClientLabels(properties.metrics().perClientLimit());
        Gauge.builder("tunnel.agent.connections", otherConnections,
                        m -> m.values().stream().mapToInt(IntSupplier::getAsInt).sum())
                .description("Sessions of the client's connection set that are up on this node")
                .tag("client", ClientLabels.OTHER).register(registry);
        Gauge.builder("tunnel.sessions.active", sessionsActive, AtomicInteger::get)
                .description("Agent sessions currently logged in").register(registry);
        Gauge.builder("tunnel.streams.active", streamsActive, AtomicInteger::get)
                .description("Proxied connections currently relayed").register(registry);
        PauseWatchdog pauses = PauseWatchdog.shared();
        FunctionCounter.builder("tunnel.process.pauses", pauses, PauseWatchdog::count)
                .description("Times this server process did not run for " + PauseWatchdog.THRESHOLD.toSeconds()
                        + " s or more (GC pause, CPU starvation, VM freeze, host suspend)").register(registry);
        Gauge.builder("tunnel.process.pause.last", pauses,
                        p -> p.last().map(last -> last.length().toNanos() / 1e9).orElse(0.0))
                .description("Length of this server process's last pause").baseUnit("seconds").register(registry);
        this.sessionDuration = Timer.builder("tunnel.session.duration")
                .description("How long agent sessions lasted")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofSeconds(1))
                .maximumExpectedValue(Duration.ofDays(7))
                .register(registry);
    }

    public void sessionStarted(String client, String agentVersion) {
        sessionsActive.incrementAndGet();
        online(client).incrementAndGet();
        agents(agentVersion).incrementAndGet();
    }

    public void sessionEnded(String client, String agentVersion, DisconnectCause cause, Duration duration) {
        sessionsActive.decrementAndGet();
        online(client).decrementAndGet();
        agents(agentVersion).decrementAndGet();
        sessionDuration.record(duration);
        count(disconnects, cause.wireName() + '\0' + agentVersion, k -> Counter.builder("tunnel.disconnects")
                .description("Ended agent sessions by cause and agent version").tag("cause", cause.wireName())
                .tag("agent_version", agentVersion).register(registry));
        if (cause == DisconnectCause.KEEPALIVE_TIMEOUT) {
            keepaliveTimeout(client, "server");
        }
    }

    /** An agent reported at login that its own pause ended its previous session. */
    public void agentPaused(String client) {
        String label = clients.of(client);
        count(agentPauses, label, k -> Counter.builder("tunnel.agent.pauses")
                .description("Sessions ended by the agent's own pause (host suspend, frozen process), as agents report")
                .tag("client", label).register(registry));
    }

    /** Connected agent sessions per version: a rollout shows as one line falling while another rises. */
    private AtomicInteger agents(String version) {
        return agentsByVersion.computeIfAbsent(version, v -> {
            AtomicInteger value = new AtomicInteger();
            registrar.execute(() -> Gauge.builder("tunnel.agents", value, AtomicInteger::get)
                    .description("Connected agent sessions by agent version").tag("version", v).register(registry));
            return value;
        });
    }

    /** 1 while the client has a session (a replacing session overlaps its predecessor only for a moment). */
    private AtomicInteger online(String client) {
        return clientOnline.computeIfAbsent(clients.of(client), c -> {
            AtomicInteger value = new AtomicInteger();
            // Under _other, the clients beyond the per-client limit: how many of their sessions are up.
            boolean other = c.equals(ClientLabels.OTHER);
            registrar.execute(() -> Gauge.builder("tunnel.client.online", value,
                            v -> other ? v.get() : Math.min(1, v.get()))
                    .description("1 while the client's agent is connected (for _other: sessions of the clients "
                            + "beyond tunnel.server.metrics.per-client-limit)").tag("client", c).register(registry));
            return value;
        });
    }

    /**
     * {@code tunnel_clients{state}}: clients served on this node whose connection set is healthy (all up),
     * degraded (some up) or offline (none up, the group about to close); {@code count} counts one state.
     */
    public void clientStates(ToIntFunction<String> count) {
        for (String state : List.of("healthy", "degraded", "offline")) {
            Gauge.builder("tunnel.clients", () -> count.applyAsInt(state))
                    .description("Clients served on this node by the state of their connection set")
                    .tag("state", state).register(registry);
        }
    }

    /** {@code tunnel_agent_connections{client}}: the client's sessions that are up on this node. */
    public void groupCreated(String client, IntSupplier liveConnections) {
        if (clients.of(client).equals(ClientLabels.OTHER)) {
            otherConnections.put(client, liveConnections);
            return;
        }
        registrar.execute(() -> connectionGauges.put(client, Gauge.builder("tunnel.agent.connections",
                        liveConnections::getAsInt)
                .description("Sessions of the client's connection set that are up on this node")
                .tag("client", client).register(registry)));
    }

    public void groupRetired(String client) {
        otherConnections.remove(client);
        // After the registration queued by groupCreated: one thread, in order.
        registrar.execute(() -> {
            Gauge gauge = connectionGauges.remove(client);
            if (gauge != null) {
                registry.remove(gauge);
            }
        });
    }

    public void keepaliveTimeout(String client, String side) {
        String label = clients.of(client);
        count(keepaliveTimeouts, label + '\0' + side, k -> Counter.builder("tunnel.keepalive.timeouts")
                .description("Sessions declared dead by keepalive, by the side that noticed")
                .tag("client", label).tag("side", side).register(registry));
    }

    public void reconnect(String client, DisconnectCause previousCause) {
        String label = clients.of(client);
        count(reconnects, label + '\0' + previousCause.wireName(), k -> Counter.builder("tunnel.reconnects")
                .description("Agent logins that replaced an earlier session, by the cause the agent saw")
                .tag("client", label).tag("previous_cause", previousCause.wireName()).register(registry));
    }

    public void loginRefused(String code) {
        count(loginsRefused, code, c -> Counter.builder("tunnel.logins.refused")
                .description("Refused agent logins by reason").tag("reason", c).register(registry));
    }

    /** A virtual-host connection by how it ended up: routed, or answered/closed here (404, 502, not_tls, ...). */
    public void vhostConnection(String type, String outcome) {
        count(vhostConnections, type + '\0' + outcome, k -> Counter.builder("tunnel.vhost.connections")
                .description("Virtual-host connections by outcome").tag("type", type).tag("outcome", outcome)
                .register(registry));
    }

    /** A response of an HTTP proxy's local service (or our own 502/504 page) as the visitor got it. */
    public void vhostResponse(String proxy, int status) {
        String statusClass = status / 100 + "xx";
        count(vhostResponses, proxy + '\0' + statusClass, k -> Counter.builder("tunnel.vhost.responses")
                .description("HTTP responses through virtual hosts by proxy and status class").tag("proxy", proxy)
                .tag("status_class", statusClass).register(registry));
    }

    /** Datagrams of a UDP proxy dropped because its stream could not take them or too many flows were open. */
    public Counter datagramsDropped(String proxy) {
        return Counter.builder("tunnel.udp.datagrams.dropped").description("UDP datagrams dropped, by proxy")
                .tag("proxy", proxy).register(registry);
    }

    /** A connection closed at once because a limit was reached ({@code tunnel_connections_refused_total}). */
    public void connectionRefused(String reason) {
        count(connectionsRefused, reason, r -> Counter.builder("tunnel.connections.refused")
                .description("Connections refused because a configured limit was reached").tag("reason", r)
                .register(registry));
    }

    public void heartbeatRtt(String client, long nanos) {
        // Sixteen fixed buckets from LAN to satellite, not Micrometer's ~70 percentile buckets: per client, the
        // series count is what makes a large fleet's scrape slow (docs/operations.md).
        use(heartbeatRtt, clients.of(client), c -> Timer.builder("tunnel.heartbeat.rtt")
                .description("Round-trip time of keepalive probes")
                .tag("client", c)
                .serviceLevelObjectives(RTT_BUCKETS)
                .register(registry), timer -> timer.record(nanos, TimeUnit.NANOSECONDS));
    }

    public void streamOpened(String proxy, String type) {
        streamsActive.incrementAndGet();
        count(proxyConnections, proxy + '\0' + type, k -> Counter.builder("tunnel.proxy.connections")
                .description("Public connections (UDP: flows) accepted per proxy").tag("proxy", proxy).tag("type", type)
                .register(registry));
    }

    public void streamClosed() {
        streamsActive.decrementAndGet();
    }

    /** Bytes relayed for a proxy; {@code direction} is {@code in} (visitor to agent) or {@code out}. */
    public DistributionSummary proxyBytes(String proxy, String type, String direction) {
        return cached(proxyBytes, proxy + '\0' + type + '\0' + direction, k -> DistributionSummary
                .builder("tunnel.proxy.bytes")
                .description("Bytes relayed per proxy and direction").baseUnit("bytes")
                .tag("proxy", proxy).tag("type", type).tag("direction", direction).register(registry));
    }

    /** Counts one at once when the counter exists, else once it is registered on the registrar's thread. */
    private void count(Map<String, Counter> cache, String key, Function<String, Counter> create) {
        use(cache, key, create, Counter::increment);
    }

    /** Applies {@code action} to the meter at once when it exists, else once it is registered (registrar thread). */
    private <T> void use(Map<String, T> cache, String key, Function<String, T> create, Consumer<T> action) {
        T meter = cache.get(key);
        if (meter != null) {
            action.accept(meter);
        } else {
            registrar.execute(() -> action.accept(cached(cache, key, create)));
        }
    }

    private static <T> T cached(Map<String, T> cache, String key, Function<String, T> create) {
        T meter = cache.get(key);
        return meter != null ? meter : cache.computeIfAbsent(key, create);
    }
}
