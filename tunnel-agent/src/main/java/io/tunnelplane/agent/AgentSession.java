package io.tunnelplane.agent;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.tunnelplane.protocol.DisconnectCause;
import io.tunnelplane.protocol.ProtocolException;
import io.tunnelplane.protocol.handshake.LoginAccepted;
import io.tunnelplane.protocol.handshake.PauseReport;
import io.tunnelplane.protocol.keepalive.KeepaliveListener;
import io.tunnelplane.protocol.keepalive.KeepaliveMonitor;
import io.tunnelplane.protocol.keepalive.KeepaliveRole;
import io.tunnelplane.protocol.keepalive.KeepaliveSettings;
import io.tunnelplane.protocol.mux.GoAwayListener;
import io.tunnelplane.protocol.mux.GoAwayReason;
import io.tunnelplane.protocol.mux.MuxSettings;
import io.tunnelplane.protocol.pause.PauseAttribution;
import io.tunnelplane.protocol.session.SessionErrors;
import io.tunnelplane.protocol.session.SessionPipeline;
import java.time.Duration;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection to the server, from dial to close: the login, then HTTP/2 (agent end) with keepalive, and the
 * cause of its end as the agent saw it, reported exactly once to the reconnect loop.
 */
final class AgentSession {
    private static final Logger log = LoggerFactory.getLogger("io.tunnelplane.agent");

    private final AgentState state;
    private final AgentMetrics metrics;
    private final BiConsumer<SessionOutcome, Duration> onEnd;
    private final int index;
    private final Predicate<List<String>> stayOnNode;
    private Channel channel;
    private SessionOutcome loginFailure;
    private DisconnectCause cause;
    private Throwable lastError;
    private String causeDetail;
    private Duration reconnectWithin = Duration.ZERO;
    private String sessionId;
    private KeepaliveMonitor monitor;
    private long establishedNanos;
    private boolean reported;
    private boolean tlsDone;
    private boolean greeted;

    /**
     * @param stayOnNode told the cluster's nodes from the login answer (when the server has a cluster); false
     *                   moves this connection to another node at once
     */
    AgentSession(AgentState state, AgentMetrics metrics, int index, Predicate<List<String>> stayOnNode,
            BiConsumer<SessionOutcome, Duration> onEnd) {
        this.stayOnNode = stayOnNode;
        this.index = index;
        this.state = state;
        this.metrics = metrics;
        this.onEnd = onEnd;
    }

    void bind(Channel channel) {
        this.channel = channel;
        channel.closeFuture().addListener(f -> report());
    }

    void tlsEstablished() {
        tlsDone = true;
    }

    void greeted() {
        greeted = true;
    }

    void failLogin(SessionOutcome outcome) {
        loginFailure = outcome;
    }

    void failedToConnect(Throwable error) {
        loginFailure = new SessionOutcome(DisconnectCause.CONNECT_FAILED, false, null, String.valueOf(
                error.getMessage()));
        report();
    }

    void established(ChannelHandlerContext loginCtx, LoginAccepted accepted) {
        sessionId = accepted.sessionId();
        establishedNanos = System.nanoTime();
        KeepaliveSettings keepalive = KeepaliveSettings.of(Duration.ofMillis(accepted.keepaliveTimeMillis()),
                Duration.ofMillis(accepted.keepaliveTimeoutMillis()));
        monitor = new KeepaliveMonitor(keepalive, KeepaliveRole.FOLLOW, System::nanoTime);
        metrics.keepaliveTime(keepalive.time().toMillis());
        SessionPipeline.installAgentEnd(channel, monitor, new KeepaliveListener() {
            @Override
            public void onRtt(long rttNanos) {
                metrics.rtt(rttNanos);
            }

            @Override
            public void onDead(DisconnectCause dead) {
                end(dead);
            }
        }, MuxSettings.DEFAULTS, new AgentStreamInitializer(state, metrics), new GoAwayListener() {
            @Override
            public void sent(DisconnectCause sent, String detail) {
                if (sent == DisconnectCause.PROTOCOL_ERROR && cause == null) {
                    cause = sent;
                    causeDetail = detail;
                }
            }

            @Override
            public void received(DisconnectCause announced, String detail) {
                if (cause == null) {
                    cause = announced;
                    reconnectWithin = GoAwayReason.parse(detail).reconnectWithin();
                    causeDetail = announced == DisconnectCause.PROTOCOL_ERROR ? "server reported: " + detail : "";
                    log.info("server is going away: {}", announced.wireName());
                }
            }
        }, new SessionEvents());
        metrics.connected();
        log.info("connection {} connected to server {} session={} keepalive={}ms/{}ms", index, channel.remoteAddress(),
                sessionId, keepalive.time().toMillis(), keepalive.timeout().toMillis());
        if (!accepted.clusterNodes().isEmpty() && !stayOnNode.test(accepted.clusterNodes())) {
            // Just logged in, nothing relayed yet: moving now costs no visitor anything.
            end(DisconnectCause.REBALANCED);
        }
    }

    /**
     * Ends the session from our side with {@code reason}, telling the server why. The returned future completes
     * once the connection is closed, i.e. the GOAWAY is on the wire.
     */
    Future<?> end(DisconnectCause reason) {
        if (channel == null) {
            return ImmediateEventExecutor.INSTANCE.newSucceededFuture(null);
        }
        channel.eventLoop().execute(() -> {
            if (cause == null) {
                cause = reason;
            }
            if (channel.isActive() && sessionId != null) {
                channel.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR,
                        ByteBufUtil.writeUtf8(channel.alloc(), reason.wireName())));
            }
            channel.close();
        });
        return channel.closeFuture();
    }

    private void report() {
        if (reported) {
            return;
        }
        reported = true;
        boolean established = sessionId != null;
        Duration lasted = established ? Duration.ofNanos(System.nanoTime() - establishedNanos) : Duration.ZERO;
        SessionOutcome outcome;
        if (loginFailure != null) {
            outcome = loginFailure;
        } else {
            DisconnectCause settled = cause != null ? cause
                    : lastError != null ? DisconnectCause.PEER_RESET : DisconnectCause.PEER_CLOSED;
            String detail = causeDetail != null ? causeDetail : lastError == null
                    ? (established ? "" : closedDuringLogin()) : String.valueOf(lastError.getMessage());
            outcome = new SessionOutcome(established ? settled : DisconnectCause.CONNECT_FAILED, established, null,
                    detail, reconnectWithin);
            if (established) {
                outcome = blameOwnPause(outcome);
            }
        }
        if (established) {
            metrics.disconnected(outcome.cause());
        }
        onEnd.accept(outcome, lasted);
    }

    /**
     * The server (or our own late timer) gave up on this session while this agent was not running: the path is
     * not at fault. The outcome says so (its detail goes into the one disconnect line), and carries the pause for
     * the next login to report.
     */
    private SessionOutcome blameOwnPause(SessionOutcome outcome) {
        return PauseAttribution.explain(outcome.cause(), monitor).map(pause -> new SessionOutcome(
                DisconnectCause.AGENT_SUSPENDED, true, null,
                "this agent " + pause.describe() + "; then " + outcome.cause().wireName(),
                outcome.reconnectWithin(), new PauseReport(sessionId, pause.startedAt().toEpochMilli(),
                        pause.length().toMillis(), pause.kind().wireName()))).orElse(outcome);
    }

    /** Why a connection may have closed before login, as far as we can tell from what we got. */
    private String closedDuringLogin() {
        if (tlsDone && !greeted) {
            return "closed during login: the server ended the connection right after TLS without greeting; if it "
                    + "requires client certificates (tunnel.server.tls.client-ca), start the agent with "
                    + "--tls-certificate and --tls-key";
        }
        return "closed during login";
    }

    /** Tail of the session pipeline: errors become causes; connection-level frames end here. */
    private final class SessionEvents extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg); // GOAWAYs are read through the codec's connection listener
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable error) {
            if (!SessionErrors.isNetworkOrPeer(error)) {
                log.warn("connection {} failed on an unexpected error (a bug: please report it with this stack); "
                        + "reconnecting", index, error);
            }
            lastError = error;
            if (error instanceof Http2Exception || error instanceof ProtocolException) {
                end(DisconnectCause.PROTOCOL_ERROR);
            } else {
                ctx.close();
            }
        }
    }

    /** Before login completes: a malformed handshake or an I/O error closes the connection. */
    void handshakeError(Throwable error) {
        if (loginFailure != null) {
            return; // the first explanation stands
        }
        lastError = error;
        String untrusted = TlsFailures.explain(error);
        if (untrusted != null) {
            loginFailure = SessionOutcome.fatal(DisconnectCause.TLS_FAILED, ExitCode.SERVER_UNTRUSTED, untrusted);
        } else if (error instanceof ProtocolException || error.getCause() instanceof ProtocolException) {
            loginFailure = new SessionOutcome(DisconnectCause.PROTOCOL_ERROR, false, null,
                    "not a tunnel server or an incompatible one: " + error.getMessage());
        }
        channel.close();
    }
}
