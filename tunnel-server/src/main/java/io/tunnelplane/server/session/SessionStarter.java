package io.tunnelplane.server.session;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslHandler;
import io.tunnelplane.server.admission.LoginGuard;
import io.tunnelplane.protocol.DisconnectCause;
import io.tunnelplane.protocol.control.ControlStreamCodec;
import io.tunnelplane.protocol.handshake.HandshakeDecoder;
import io.tunnelplane.protocol.handshake.Login;
import io.tunnelplane.protocol.keepalive.InboundActivityHandler;
import io.tunnelplane.protocol.keepalive.KeepaliveHandler;
import io.tunnelplane.protocol.keepalive.KeepaliveListener;
import io.tunnelplane.protocol.keepalive.KeepaliveMonitor;
import io.tunnelplane.protocol.keepalive.KeepaliveSettings;
import io.tunnelplane.protocol.keepalive.PingStrikes;
import io.tunnelplane.protocol.mux.GoAwayListener;
import io.tunnelplane.protocol.mux.MuxPipeline;
import io.tunnelplane.protocol.mux.MuxSettings;
import io.tunnelplane.protocol.mux.StreamHeaders;
import io.tunnelplane.server.client.ClientAccess;
import io.tunnelplane.server.client.ClientDirectory;
import io.tunnelplane.server.client.StoredClientDirectory;
import io.tunnelplane.server.config.TunnelServerProperties;
import io.tunnelplane.server.admission.ConnectionLimit;
import io.tunnelplane.server.admission.LogThrottle;
import io.tunnelplane.server.metrics.TunnelMetrics;
import io.tunnelplane.server.tls.ServerIdentity;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Turns a connection whose login succeeded into a running session: HTTP/2 with keepalive on the pipeline,
 * registration (replacing a stale session of the same client), then the control stream with the proxy list and
 * the public listeners.
 */
@Component
public class SessionStarter {
    private static final Logger log = LoggerFactory.getLogger("io.tunnelplane.session");

    private final TunnelServerProperties properties;
    private final ClientDirectory directory;
    private final SessionRegistry registry;
    private final SessionEnd sessionEnd;
    private final TunnelMetrics metrics;
    private final MuxSettings muxSettings;
    private final String serverVersion;
    private final ConnectionLimit limit;
    private final LoginGuard guard;
    private final ServerIdentity identity;
    private final ClusterNodes clusterNodes;
    private final LogThrottle refusalLog = new LogThrottle(Duration.ofMinutes(1), 10_000, System::nanoTime);

    public SessionStarter(TunnelServerProperties properties, ClientDirectory directory, SessionRegistry registry,
            SessionEnd sessionEnd, TunnelMetrics metrics, ObjectProvider<BuildProperties> build, ConnectionLimit limit,
            LoginGuard guard, ServerIdentity identity, ClusterNodes clusterNodes) {
        this.clusterNodes = clusterNodes;
        this.limit = limit;
        this.guard = guard;
        this.identity = identity;
        this.properties = properties;
        this.directory = directory;
        this.registry = registry;
        this.sessionEnd = sessionEnd;
        this.metrics = metrics;
        TunnelServerProperties.Mux mux = properties.mux();
        this.muxSettings = new MuxSettings((int) mux.streamWindow().toBytes(), (int) mux.connectionWindow().toBytes(),
                (int) mux.maxFrameSize().toBytes(), MuxSettings.DEFAULTS.maxConcurrentStreams());
        BuildProperties buildProperties = build.getIfAvailable();
        this.serverVersion = buildProperties == null ? "dev" : buildProperties.getVersion();
    }

    /** A new agent connection: the handshake handlers, then the login. */
    public ChannelInitializer<Channel> agentChannelInitializer() {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                if (!limit.admit(ch)) {
                    return;
                }
                LoginGuard.Ticket ticket = guard.admit(((InetSocketAddress) ch.remoteAddress()).getAddress());
                if (ticket.admission() != LoginGuard.Admission.ADMITTED) {
                    refuse(ch, ticket);
                    return;
                }
                ch.closeFuture().addListener(closed -> ticket.release());
                identity.sslContext().ifPresent(tls -> {
                    SslHandler handler = tls.newHandler(ch.alloc());
                    handler.setHandshakeTimeoutMillis(properties.handshakeTimeout().toMillis());
                    ch.pipeline().addLast(HandshakeNames.TLS, handler);
                });
                ch.pipeline().addLast(HandshakeNames.DECODER, new HandshakeDecoder())
                        .addLast(ServerLoginHandler.NAME, new ServerLoginHandler(SessionStarter.this, ticket));
            }
        };
    }

    /** Closes a connection the login guard would not admit: reset at once, counted, logged once a minute. */
    private void refuse(Channel ch, LoginGuard.Ticket ticket) {
        boolean locked = ticket.admission() == LoginGuard.Admission.LOCKED_OUT;
        metrics.connectionRefused(locked ? "locked_out" : "pending_logins");
        long suppressed = refusalLog.admit(ticket.admission() + "/" + ticket.address().getHostAddress());
        if (suppressed >= 0 && locked) {
            log.warn("refusing connections from {}: locked out for {} after {} failed logins ({} more refusals since "
                    + "the last line)", ticket.address().getHostAddress(), SessionEnd.human(guard.lockedFor(
                    ticket.address())), guard.failureCount(ticket.address()), suppressed);
        } else if (suppressed >= 0) {
            log.warn("refusing connections from {}: too many unauthenticated connections (tunnel.server.login."
                    + "max-pending / max-pending-per-address) ({} more refusals since the last line)",
                    ticket.address().getHostAddress(), suppressed);
        }
        ch.config().setOption(ChannelOption.SO_LINGER, 0);
        ch.close();
    }

    @Scheduled(fixedDelay = 60_000)
    public void pruneRefusalLog() {
        refusalLog.prune();
    }

    LoginGuard guard() {
        return guard;
    }

    LogThrottle refusalLog() {
        return refusalLog;
    }

    ClientDirectory directory() {
        return directory;
    }

    TunnelMetrics metrics() {
        return metrics;
    }

    String serverVersion() {
        return serverVersion;
    }

    Duration handshakeTimeout() {
        return properties.handshakeTimeout();
    }

    /** The server's keepalive settings, or the agent's wish where it asked for one within the server's bounds. */
    /** The live nodes' agent addresses for a login answer (a snapshot kept by the presence heartbeat). */
    List<String> clusterNodes() {
        return clusterNodes.advertised();
    }

    KeepaliveSettings negotiateKeepalive(Login login) {
        Duration time = properties.keepalive().time();
        Duration timeout = properties.keepalive().timeout();
        if (login.keepaliveTimeMillis() > 0) {
            // Never below the enforced minimum: the agent learns the agreed value in LoginAccepted.
            time = max(Duration.ofMillis(login.keepaliveTimeMillis()), properties.keepalive().minTime());
        }
        if (login.keepaliveTimeoutMillis() > 0) {
            timeout = max(Duration.ofMillis(login.keepaliveTimeoutMillis()), KeepaliveSettings.MIN_TIME);
        }
        return KeepaliveSettings.of(time, timeout);
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    void start(ChannelHandlerContext loginCtx, ClientAccess access, String sessionId, String connectionId,
            int connections, SessionInfo info) {
        Channel channel = loginCtx.channel();
        KeepaliveMonitor monitor = new KeepaliveMonitor(info.keepalive(), System::nanoTime);
        AgentSession session = new AgentSession(channel, access.clientId(), sessionId, connectionId, info, monitor);

        ChannelPipeline pipeline = channel.pipeline();
        pipeline.addFirst(InboundActivityHandler.NAME, new InboundActivityHandler(monitor));
        // Many streams flush after each of their reads: coalesce those into few socket writes while the session
        // itself is reading, but flush at once otherwise; deferring those too cost request/response traffic a
        // 5x worse p99 (docs/benchmarks.md). On the socket side of TLS.
        pipeline.addAfter(InboundActivityHandler.NAME, "flush-consolidation", new FlushConsolidationHandler(64, false));
        MuxPipeline.installServerEnd(channel, muxSettings, new GoAwayListener() {
            @Override
            public void sent(DisconnectCause cause, String detail) {
                if (cause == DisconnectCause.PROTOCOL_ERROR) {
                    session.localProtocolError(detail);
                }
            }

            @Override
            public void received(DisconnectCause cause, String detail) {
                session.peerAnnounced(cause, detail);
            }
        }, ServerLoginHandler.NAME);
        pipeline.addAfter(MuxPipeline.MULTIPLEX, KeepaliveHandler.NAME, new KeepaliveHandler(monitor,
                new KeepaliveListener() {
                    @Override
                    public void onRtt(long rttNanos) {
                        metrics.heartbeatRtt(access.clientId(), rttNanos);
                    }

                    @Override
                    public void onDead(DisconnectCause cause) {
                        session.end(cause);
                    }
                }));
        pipeline.addLast(SessionHandler.NAME, new SessionHandler(session, sessionEnd, new PingStrikes(
                properties.keepalive().minTime(), properties.keepalive().maxPingStrikes(), System::nanoTime)));
        pipeline.remove(ServerLoginHandler.NAME);
        pipeline.remove(HandshakeNames.DECODER);

        metrics.sessionStarted(access.clientId(), info.agentVersion());
        if (directory instanceof StoredClientDirectory stored) {
            stored.loggedIn(access.clientId());
        }
        if (info.previousCause() != DisconnectCause.NONE) {
            metrics.reconnect(access.clientId(), info.previousCause());
        }
        if (info.previousCause() == DisconnectCause.KEEPALIVE_TIMEOUT) {
            // The agent's side found the last session dead: counted as it reports, next to the server's view.
            metrics.keepaliveTimeout(access.clientId(), "agent");
        }
        log.info("agent connected client={} session={} connection={} of {} remote={} agent_version={} os=\"{}\""
                        + " attempts={} previous_cause={} keepalive={}/{}",
                access.clientId(), sessionId, ServerLoginHandler.safe(connectionId), connections,
                channel.remoteAddress(), info.agentVersion(),
                ServerLoginHandler.safe(info.host().os()),
                info.reconnectAttempts(), info.previousCause().wireName(),
                SessionEnd.human(info.keepalive().time()), SessionEnd.human(info.keepalive().timeout()));

        registry.register(session, access.proxies(), connections, () -> {
            long changesSeen = session.group().changes();
            channel.eventLoop().execute(() -> openControl(session, changesSeen));
        });
    }

    /**
     * Opens the session's control stream and sends it the group's proxy list. A proxy changed while this agent
     * was logging in found no session to apply to and is not in the list read at login: read again now that
     * changes reach the group, and catch up unless a change came through since {@code changesSeen}.
     */
    private void openControl(AgentSession session, long changesSeen) {
        if (!session.channel().isActive() || session.cause() != null) {
            return;
        }
        new Http2StreamChannelBootstrap(session.channel())
                .handler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel ch) {
                        ch.pipeline().addLast(new ControlStreamCodec(), new ServerControlHandler(session));
                    }
                })
                .open()
                .addListener(opened -> {
                    if (!opened.isSuccess()) {
                        session.end(DisconnectCause.PROTOCOL_ERROR);
                        return;
                    }
                    Http2StreamChannel control = (Http2StreamChannel) opened.getNow();
                    control.writeAndFlush(new DefaultHttp2HeadersFrame(StreamHeaders.control()));
                    session.controlStream(control);
                    SessionGroup group = session.group();
                    group.pushTo(session);
                    directory.find(session.clientId()).thenAccept(now -> now.ifPresent(current ->
                            group.catchUp(current.proxies(), changesSeen)));
                });
    }

    /** Names of the handshake handlers, removed once the session runs HTTP/2. */
    static final class HandshakeNames {
        static final String DECODER = "handshake-decoder";
        static final String TLS = "tls";

        private HandshakeNames() {
        }
    }
}
