package io.tunnelplane.server.session;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.tunnelplane.protocol.DisconnectCause;
import io.tunnelplane.protocol.control.ControlStreamCodec;
import io.tunnelplane.protocol.keepalive.KeepaliveListener;
import io.tunnelplane.protocol.keepalive.KeepaliveMonitor;
import io.tunnelplane.protocol.keepalive.KeepaliveRole;
import io.tunnelplane.protocol.keepalive.PingStrikes;
import io.tunnelplane.protocol.mux.GoAwayListener;
import io.tunnelplane.protocol.mux.MuxSettings;
import io.tunnelplane.protocol.mux.StreamHeaders;
import io.tunnelplane.protocol.session.SessionPipeline;
import io.tunnelplane.server.client.ClientAccess;
import io.tunnelplane.server.client.ClientDirectory;
import io.tunnelplane.server.client.StoredClientDirectory;
import io.tunnelplane.server.config.TunnelServerProperties;
import io.tunnelplane.server.metrics.TunnelMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Turns a connection whose login succeeded into a running session: the session pipeline (HTTP/2, keepalive),
 * registration in the client's group (replacing a stale predecessor of the same connection), then the control
 * stream with the proxy list and the public listeners.
 */
@Component
public class SessionOpener {
    private static final Logger log = LoggerFactory.getLogger("io.tunnelplane.session");

    private final TunnelServerProperties properties;
    private final ClientDirectory directory;
    private final SessionRegistry registry;
    private final SessionEnd sessionEnd;
    private final TunnelMetrics metrics;
    private final MuxSettings muxSettings;
    private final AgentPauses agentPauses;

    public SessionOpener(TunnelServerProperties properties, ClientDirectory directory, SessionRegistry registry,
            SessionEnd sessionEnd, TunnelMetrics metrics, AgentPauses agentPauses) {
        this.agentPauses = agentPauses;
        this.properties = properties;
        this.directory = directory;
        this.registry = registry;
        this.sessionEnd = sessionEnd;
        this.metrics = metrics;
        TunnelServerProperties.Mux mux = properties.mux();
        this.muxSettings = new MuxSettings((int) mux.streamWindow().toBytes(), (int) mux.maxStreamWindow().toBytes(),
                (int) mux.connectionWindow().toBytes(),
                (int) mux.maxFrameSize().toBytes(), MuxSettings.DEFAULTS.maxConcurrentStreams());
    }

    /** The registry's change count, noted by a login before it reads the client (see {@link #openControl}). */
    long changesArrived() {
        return registry.changesArrived();
    }

    /**
     * Called on the connection's event loop once the login was accepted; {@code changesBefore} is
     * {@link #changesArrived()} from before the login read the client's proxies.
     */
    void start(ChannelHandlerContext loginCtx, ClientAccess access, String sessionId, String connectionId,
            int connections, SessionInfo info, long changesBefore) {
        Channel channel = loginCtx.channel();
        KeepaliveMonitor monitor = new KeepaliveMonitor(info.keepalive(), KeepaliveRole.LEAD, System::nanoTime);
        AgentSession session = new AgentSession(channel, access.clientId(), sessionId, connectionId, info, monitor);
        SessionPipeline.installServerEnd(channel, monitor, new KeepaliveListener() {
            @Override
            public void onRtt(long rttNanos) {
                metrics.heartbeatRtt(access.clientId(), rttNanos);
                session.sampleRetransmits();
            }

            @Override
            public void onDead(DisconnectCause cause) {
                session.end(cause);
            }
        }, muxSettings, new GoAwayListener() {
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
        }, new SessionHandler(session, sessionEnd, new PingStrikes(properties.keepalive().minTime(),
                properties.keepalive().maxPingStrikes(), System::nanoTime)));

        metrics.sessionStarted(access.clientId(), info.agentVersion());
        if (directory instanceof StoredClientDirectory stored) {
            stored.loggedIn(access.clientId());
        }
        if (info.previousCause() != DisconnectCause.NONE) {
            metrics.reconnect(access.clientId(), info.previousCause());
        }
        if (info.agentPause() != null) {
            agentPauses.reported(access.clientId(), info.agentPause());
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
            channel.eventLoop().execute(() -> openControl(session, changesSeen, changesBefore));
        });
    }

    /**
     * Opens the session's control stream and sends it the group's proxy list. A proxy changed while this agent
     * was logging in found no session to apply to and is not in the list read at login: unless no change arrived
     * at all since before that read ({@code changesBefore}), read again now that changes reach the group, and
     * catch up unless a change came through the group since {@code changesSeen}.
     */
    private void openControl(AgentSession session, long changesSeen, long changesBefore) {
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
                    if (registry.changedSince(changesBefore)) {
                        directory.find(session.clientId()).thenAccept(now -> now.ifPresent(current ->
                                group.catchUp(current.proxies(), changesSeen)));
                    }
                });
    }
}
