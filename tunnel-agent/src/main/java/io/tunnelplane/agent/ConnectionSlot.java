package io.tunnelplane.agent;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.tunnelplane.protocol.DisconnectCause;
import io.tunnelplane.protocol.handshake.HandshakeDecoder;
import io.tunnelplane.protocol.handshake.PauseReport;
import io.tunnelplane.protocol.session.SessionPipeline;
import io.tunnelplane.protocol.transport.Transport;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection of the agent's set: it dials, logs in under its own connection id (kept across its reconnects,
 * so the server replaces this connection's stale predecessor and never a sibling), and when its session ends it
 * reconnects with its own backoff. It lives on one event loop of its own; its siblings carry on meanwhile.
 */
final class ConnectionSlot {
    private static final Logger log = LoggerFactory.getLogger("io.tunnelplane.agent");

    /** What a slot needs from the agent that owns it: the shared pieces, and where a fatal outcome goes. */
    interface Owner {
        AgentSettings settings();

        /** The servers to dial before the cluster is known, names with several addresses expanded; never empty. */
        List<ServerAddress> servers();

        AgentState state();

        AgentMetrics metrics();

        Backoff backoff();

        SslContext tls();

        boolean stopping();

        /** The session ended with an outcome that must stop the whole agent (token refused, server untrusted). */
        void fatal(SessionOutcome outcome);

        /** Consecutive failures changed; the agent reports the worst of its slots. */
        void failuresChanged();

        /**
         * The nodes of the server's cluster, as a login answer named them; the agent keeps a connection to each.
         * Returns the node slot {@code index} belongs on.
         */
        ServerAddress clusterNodes(int index, List<String> nodes);

        /** The node slot {@code index} belongs on once the cluster is known, or null before. */
        ServerAddress homeNode(int index);

        /**
         * How many connections the agent keeps to {@code server}: what the server holds it to and measures it
         * against (healthy or degraded).
         */
        int connectionsTo(ServerAddress server);
    }

    private final int index;
    private final String connectionId = UUID.randomUUID().toString();
    private final EventLoop loop;
    private final Owner owner;
    private final Transport transport = Transport.best();
    private int serverIndex;
    private DisconnectCause previousCause = DisconnectCause.NONE;
    private PauseReport previousPause;
    private Duration askedKeepaliveTime;
    private int attempts;
    private int failedAttempts;
    private final ReconnectSchedule schedule;
    private volatile AgentSession current;
    private volatile ServerAddress target;

    ConnectionSlot(int index, EventLoop loop, Owner owner) {
        this.index = index;
        this.loop = loop;
        this.owner = owner;
        this.serverIndex = index;
        this.askedKeepaliveTime = owner.settings().keepaliveTime();
        this.schedule = new ReconnectSchedule(owner.backoff(), owner.settings().stableAfter(), System::nanoTime);
    }

    void start() {
        loop.execute(this::connect);
    }

    int index() {
        return index;
    }

    /** The server this slot dials or is connected to; null before its first attempt. */
    ServerAddress target() {
        return target;
    }

    /** Consecutive attempts that did not get a session. */
    int failedAttempts() {
        return failedAttempts;
    }

    /** Ends the current session, telling the server {@code reason}; completes once its connection is closed. */
    Future<?> end(DisconnectCause reason) {
        AgentSession session = current;
        return session == null ? ImmediateEventExecutor.INSTANCE.newSucceededFuture(null) : session.end(reason);
    }

    private void connect() {
        if (owner.stopping()) {
            return;
        }
        attempts++;
        // A known cluster pins each connection to its node; before that, the configured list is tried in turn.
        ServerAddress home = owner.homeNode(index);
        List<ServerAddress> servers = owner.servers();
        ServerAddress server = home != null ? home : servers.get(serverIndex % servers.size());
        target = server;
        AgentSettings settings = owner.settings();
        AgentSession session = new AgentSession(owner.state(), owner.metrics(), index, nodes -> {
            ServerAddress belongs = owner.clusterNodes(index, nodes);
            if (belongs == null || belongs.equals(server)) {
                return true;
            }
            log.info("connection {} moves from {} to cluster node {}, which has no connection of this agent", index,
                    server, belongs);
            return false;
        }, (outcome, lasted) -> {
            if (!owner.stopping() && !loop.isShuttingDown()) {
                loop.execute(() -> onEnded(server, outcome, lasted));
            }
        });
        current = session;
        SslContext tls = owner.tls();
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(transport.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.connectTimeout().toMillis())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        session.bind(ch);
                        if (tls != null) {
                            // The host name goes out as SNI and, with CA-based trust, is checked against the certificate.
                            ch.pipeline().addLast(SessionPipeline.TLS, tls.newHandler(ch.alloc(), server.host(),
                                    server.port()));
                        }
                        ch.pipeline().addLast(SessionPipeline.HANDSHAKE_DECODER, new HandshakeDecoder())
                                .addLast(SessionPipeline.LOGIN, new AgentLoginHandler(settings, askedKeepaliveTime,
                                        session, previousCause, previousPause, attempts, connectionId,
                                        owner.connectionsTo(server)));
                    }
                });
        transport.sessionOptions(bootstrap, Duration.ofSeconds(15));
        bootstrap.connect(server.socketAddress()).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                session.failedToConnect(f.cause());
            }
        });
    }

    private void onEnded(ServerAddress server, SessionOutcome outcome, Duration lasted) {
        if (owner.stopping()) {
            return;
        }
        if (outcome.exitCode() != null) {
            owner.fatal(outcome);
            return;
        }
        AgentMetrics metrics = owner.metrics();
        if (outcome.cause() == DisconnectCause.TOO_MANY_PINGS) {
            // The server's enforcement says we probed too often: ask for twice the agreed interval from now on.
            askedKeepaliveTime = Duration.ofMillis(Math.max(1_000, metrics.keepaliveTimeMillis()) * 2);
            log.warn("server refused our ping rate (too_many_pings); asking for keepalive-time {}ms from now on",
                    askedKeepaliveTime.toMillis());
        }
        if (outcome.established()) {
            previousCause = outcome.cause();
            previousPause = outcome.ownPause();
            attempts = 0;
        } else {
            // An unreachable server should not hold this connection back while another one answers.
            serverIndex = (serverIndex + 1) % owner.servers().size();
        }
        failedAttempts = outcome.established() ? 0 : failedAttempts + 1;
        owner.failuresChanged();
        Duration delay = schedule.next(outcome, lasted);
        Backoff backoff = owner.backoff();
        if (outcome.established()) {
            log.info("connection {} disconnected from server {} cause={} after {}{}; reconnecting in {}ms", index,
                    server, outcome.cause().wireName(), human(lasted),
                    outcome.detail().isEmpty() ? "" : " (" + outcome.detail() + ")", delay.toMillis());
        } else {
            log.warn("connection {} cannot reach server {} (attempt {}): {}; retrying in {}ms (cap {}s)", index, server,
                    attempts, outcome.detail(), delay.toMillis(), backoff.cap().toSeconds());
        }
        loop.schedule(this::connect, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static String human(Duration d) {
        return d.toMillis() < 10_000 ? d.toMillis() + "ms" : d.toSeconds() + "s";
    }
}
