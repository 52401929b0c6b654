package io.tunnelplane.agent;

import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.tunnelplane.protocol.DisconnectCause;
import io.tunnelplane.protocol.handshake.Login;
import io.tunnelplane.protocol.pause.PauseWatchdog;
import io.tunnelplane.protocol.transport.Transport;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent: keeps a set of {@code --connections} sessions to the servers, each on an event loop of its own and
 * each replaced with exponential backoff and full jitter when it ends, all serving one proxy list. Everything runs
 * on the agent's event loops; {@link #run()} only waits for the final exit code.
 */
public final class Agent implements ConnectionSlot.Owner {
    private static final Logger log = LoggerFactory.getLogger("io.tunnelplane.agent");

    private final AgentSettings settings;
    private final EventLoopGroup group;
    private final Backoff backoff;
    private final AgentState state;
    private final SslContext tls;
    private final AgentMetrics metrics;
    private final List<ConnectionSlot> slots = new CopyOnWriteArrayList<>();
    private final ServerDirectory servers;
    private volatile ScheduledFuture<?> serverRefresh;
    /** The cluster's nodes from the latest login answer or push; empty until a server with a cluster answers. */
    private volatile List<ServerAddress> nodes = List.of();
    /** The node each connection (by slot index) belongs on once the cluster is known. Guarded by this. */
    private final Map<Integer, ServerAddress> homes = new HashMap<>();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile boolean stopping;
    private final boolean ownGroup;
    /** How often server names are resolved again, so that a node's new address is found. */
    static final Duration SERVER_REFRESH = Duration.ofSeconds(60);

    /**
     * Event loops and a TLS context shared by many agents in one process: the load harness ({@code bench/})
     * simulates thousands of agents at little cost each. Agents never shut a shared group down.
     */
    public record Shared(EventLoopGroup group, SslContext tls) {
    }

    public Agent(AgentSettings settings) {
        this(settings, null);
    }

    public Agent(AgentSettings settings, Shared shared) {
        this.settings = settings;
        this.servers = new ServerDirectory(settings.servers(), InetAddress::getAllByName);
        this.state = new AgentState(settings.hostReportInterval());
        this.metrics = new AgentMetrics(settings.connections());
        this.ownGroup = shared == null;
        if (shared != null) {
            this.tls = shared.tls();
            this.group = shared.group();
        } else {
            this.tls = settings.tls().enabled() ? settings.tls().nettyContext() : null;
            // One loop per connection: a busy connection never waits for a sibling's thread.
            this.group = Transport.best().newGroup(Math.max(2, settings.connections()), "agent-io");
        }
        this.backoff = new Backoff(settings.reconnectBase(), settings.reconnectCap(),
                () -> ThreadLocalRandom.current().nextDouble());
        for (int i = 0; i < settings.connections(); i++) {
            slots.add(new ConnectionSlot(i, group.next(), this));
        }
        state.onClusterChange(this::clusterChanged);
    }

    /** Starts connecting (once); the future completes with the exit code once the agent has stopped. */
    public CompletableFuture<Integer> start() {
        if (!started.compareAndSet(false, true)) {
            return exit;
        }
        log.info("agent {} starting: servers {} connections {} client {} tls={}", AgentVersion.current(),
                settings.servers(), settings.connections(), settings.token().clientId(), settings.tls().describe());
        if (tls == null) {
            log.warn("--insecure: the sessions to {} are plain TCP; anyone on the path can read proxied traffic",
                    settings.servers());
        }
        PauseWatchdog.logPauses(log, "this agent process");
        servers.refresh();
        if (servers.hasNames()) {
            // Off the event loops: resolving blocks.
            serverRefresh = GlobalEventExecutor.INSTANCE.scheduleAtFixedRate(servers::refresh,
                    SERVER_REFRESH.toSeconds(), SERVER_REFRESH.toSeconds(), TimeUnit.SECONDS);
        }
        slots.forEach(ConnectionSlot::start);
        return exit;
    }

    /** Runs until stopped or refused; returns the process exit code. */
    public int run() {
        return start().join();
    }

    /** Stops cleanly: tells the server {@code agent_shutdown} on every connection, closes, exits with 0. */
    public void stop() {
        if (stopping) {
            exit.join();
            return;
        }
        stopping = true;
        endAll(DisconnectCause.AGENT_SHUTDOWN);
        finish(ExitCode.OK, Duration.ofSeconds(2));
        exit.join();
    }

    /** Shutting the event loops down closes channels at once: let every GOAWAY reach the wire first. */
    private void endAll(DisconnectCause cause) {
        List<Future<?>> closing = slots.stream().<Future<?>>map(slot -> slot.end(cause)).toList();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        for (Future<?> closed : closing) {
            closed.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    public AgentMetrics metrics() {
        return metrics;
    }

    @Override
    public AgentSettings settings() {
        return settings;
    }

    @Override
    public List<ServerAddress> servers() {
        return servers.current();
    }

    @Override
    public AgentState state() {
        return state;
    }

    @Override
    public Backoff backoff() {
        return backoff;
    }

    @Override
    public SslContext tls() {
        return tls;
    }

    @Override
    public boolean stopping() {
        return stopping;
    }

    @Override
    public void fatal(SessionOutcome outcome) {
        if (stopping) {
            return;
        }
        stopping = true;
        log.error("{}; stopping with exit code {}", outcome.detail(), outcome.exitCode());
        // Off the event loop: ending the siblings waits for their connections to close.
        CompletableFuture.runAsync(() -> {
            endAll(outcome.cause());
            finish(outcome.exitCode(), Duration.ZERO);
        });
    }

    @Override
    public synchronized ServerAddress clusterNodes(int index, List<String> advertised) {
        update(parse(advertised));
        return homeNode(index);
    }

    /** A server pushed a change of its cluster's nodes (a node joined or left after our logins). */
    private synchronized void clusterChanged(List<String> advertised) {
        update(parse(advertised));
    }

    private static List<ServerAddress> parse(List<String> advertised) {
        List<ServerAddress> parsed = new ArrayList<>();
        for (String address : advertised) {
            try {
                parsed.add(ServerAddress.parse(address));
            } catch (IllegalArgumentException e) {
                log.warn("ignoring cluster node '{}' named by the server: {}", address, e.getMessage());
            }
        }
        return parsed;
    }

    /**
     * Keeps at least one connection homed on every live node. The first time the cluster is known the set is
     * spread over the nodes in turn (the connections have just logged in, so moving costs nothing). Later a
     * connection keeps its node: one whose node is restarting comes back to it. A node without a connection gets
     * one whose node has left the cluster, or a new one (within the protocol's limit), so a node that joins serves
     * every client without moving a single working connection.
     */
    private void update(List<ServerAddress> live) {
        if (live.isEmpty() || live.equals(nodes) || stopping) {
            return;
        }
        boolean first = nodes.isEmpty();
        nodes = List.copyOf(live);
        if (first) {
            for (int i = 0; i < slots.size(); i++) {
                homes.put(i, live.get(i % live.size()));
            }
        }
        List<Integer> orphans = new ArrayList<>();
        homes.forEach((index, home) -> {
            if (!live.contains(home)) {
                orphans.add(index);
            }
        });
        for (ServerAddress node : live) {
            if (homes.containsValue(node)) {
                continue;
            }
            if (!orphans.isEmpty()) {
                homes.put(orphans.remove(0), node);
            } else if (slots.size() < Login.MAX_CONNECTIONS) {
                ConnectionSlot slot = new ConnectionSlot(slots.size(), group.next(), this);
                homes.put(slot.index(), node);
                slots.add(slot);
                slot.start();
            }
        }
        log.info("cluster nodes {}: connections per node {}", nodes, perNode());
    }

    private Map<ServerAddress, Integer> perNode() {
        Map<ServerAddress, Integer> counts = new LinkedHashMap<>();
        nodes.forEach(node -> counts.put(node, 0));
        homes.values().forEach(home -> counts.merge(home, 1, Integer::sum));
        return counts;
    }

    @Override
    public synchronized int connectionsTo(ServerAddress server) {
        int here = 0;
        List<ServerAddress> configured = servers.current();
        for (int i = 0; i < slots.size(); i++) {
            // Before the cluster is known, where each connection is headed (a slot that has not dialled yet starts
            // at its own index in the list); after, the node it belongs on.
            ServerAddress target = nodes.isEmpty() ? slots.get(i).target() : homes.get(i);
            if (nodes.isEmpty() && target == null) {
                target = configured.get(i % configured.size());
            }
            if (server.equals(target)) {
                here++;
            }
        }
        return Math.max(1, Math.min(Login.MAX_CONNECTIONS, here));
    }

    @Override
    public synchronized ServerAddress homeNode(int index) {
        return homes.get(index);
    }

    @Override
    public void failuresChanged() {
        metrics.failedAttempts(slots.stream().mapToInt(ConnectionSlot::failedAttempts).max().orElse(0));
    }

    private void finish(int code, Duration quiet) {
        ScheduledFuture<?> refresh = serverRefresh;
        if (refresh != null) {
            refresh.cancel(false);
        }
        if (!ownGroup) {
            exit.complete(code);
            return;
        }
        group.shutdownGracefully(quiet.toMillis() > 0 ? 100 : 0, quiet.toMillis(), TimeUnit.MILLISECONDS)
                .addListener(f -> exit.complete(code));
    }
}
