package io.tunnelplane.server.session;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.tunnelplane.server.admission.LoginGuard;
import io.tunnelplane.protocol.DisconnectCause;
import io.tunnelplane.protocol.ProtocolException;
import io.tunnelplane.protocol.ProtocolVersion;
import io.tunnelplane.protocol.handshake.HandshakeCodec;
import io.tunnelplane.protocol.handshake.Login;
import io.tunnelplane.protocol.handshake.LoginAccepted;
import io.tunnelplane.protocol.handshake.LoginRefused;
import io.tunnelplane.protocol.handshake.PauseReport;
import io.tunnelplane.protocol.handshake.ServerHello;
import io.tunnelplane.protocol.handshake.TokenProof;
import io.tunnelplane.protocol.keepalive.KeepaliveSettings;
import io.tunnelplane.protocol.session.SessionPipeline;
import io.tunnelplane.server.client.ClientAccess;
import java.time.Duration;
import java.util.Optional;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's side of the login: sends a nonce, verifies the agent's proof against the client's token key (looked
 * up off the event loop), answers with the session settings and its own proof, then hands the connection to
 * {@link SessionOpener}. A refused login learns only "authentication failed"; the reason stays in our logs.
 */
final class ServerLoginHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger("io.tunnelplane.session");

    private final LoginContext context;
    private final LoginGuard.Ticket ticket;
    private final byte[] serverNonce = TokenProof.newNonce();
    private ScheduledFuture<?> handshakeTimeout;
    private boolean loginSeen;

    ServerLoginHandler(LoginContext context, LoginGuard.Ticket ticket) {
        this.context = context;
        this.ticket = ticket;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Duration timeout = context.handshakeTimeout();
        handshakeTimeout = ctx.executor().schedule(() -> {
            log.debug("closing connection from {}: no login within {}", ctx.channel().remoteAddress(), timeout);
            context.metrics().loginRefused("handshake_timeout");
            ctx.close();
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        ctx.writeAndFlush(HandshakeCodec.encode(
                new ServerHello(ProtocolVersion.CURRENT, context.serverVersion(), serverNonce,
                        System.currentTimeMillis()), ctx.alloc()));
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimeout();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Login login) || loginSeen) {
            ReferenceCountUtil.release(msg);
            throw new ProtocolException("expected one Login message, got " + msg.getClass().getSimpleName());
        }
        loginSeen = true;
        if (login.protocolVersion() != ProtocolVersion.CURRENT) {
            refuse(ctx, login, LoginRefused.PROTOCOL_VERSION, "server speaks protocol " + ProtocolVersion.CURRENT
                    + ", agent speaks " + login.protocolVersion() + ": install a matching agent");
            return;
        }
        if (context.guard().isLockedOut(login.clientId(), ticket.address())) {
            // Same answer as a wrong token: the attacker learns nothing, the proof is not even checked.
            refuse(ctx, login, LoginRefused.AUTH_FAILED, "locked_out", "authentication failed");
            return;
        }
        long changesBefore = context.opener().changesArrived();
        context.directory().find(login.clientId()).whenComplete((found, error) ->
                ctx.executor().execute(() -> onLookup(ctx, login, changesBefore, found, error)));
    }

    private void onLookup(ChannelHandlerContext ctx, Login login, long changesBefore, Optional<ClientAccess> found,
            Throwable error) {
        if (!ctx.channel().isActive()) {
            return;
        }
        if (error != null) {
            log.warn("login lookup failed for client={}: {}", safe(login.clientId()), error.toString());
            refuse(ctx, login, "unavailable", "server cannot check credentials right now, retry later");
            return;
        }
        Optional<ClientAccess> verified = found.filter(access -> TokenProof.matches(
                TokenProof.agentProof(access.tokenKey(), login.clientId(), serverNonce, login.agentNonce()),
                login.proof()));
        if (verified.isEmpty()) {
            context.guard().failed(ticket.address(), login.clientId());
            refuse(ctx, login, LoginRefused.AUTH_FAILED, "authentication failed");
            return;
        }
        cancelTimeout();
        context.guard().succeeded(ticket.address(), login.clientId());
        ticket.release();
        ClientAccess access = verified.get();
        KeepaliveSettings keepalive = context.keepalive().settle(login);
        if (login.isProbe()) {
            answerProbe(ctx, login, access, keepalive);
            return;
        }
        String sessionId = SessionIds.next();
        byte[] serverProof = TokenProof.serverProof(access.tokenKey(), login.clientId(), serverNonce, login.agentNonce());
        ctx.writeAndFlush(HandshakeCodec.encode(new LoginAccepted(sessionId, keepalive.time().toMillis(),
                keepalive.timeout().toMillis(), serverProof, context.clusterNodes().advertised()), ctx.alloc()));
        SessionInfo info = new SessionInfo(safe(login.agentVersion()), login.host(),
                DisconnectCause.fromWire(login.previousCause()),
                login.reconnectAttempts(), keepalive, login.keepaliveTimeMillis(), login.keepaliveTimeoutMillis(),
                login.wantsClusterUpdates(), PauseReport.in(login.previousCause()).orElse(null));
        // Within the set-size bound; an agent that names no connection (an old build) is a set of one.
        int connections = Math.max(1, Math.min(Login.MAX_CONNECTIONS, login.connections()));
        String connectionId = login.connectionId().isEmpty() ? sessionId : login.connectionId();
        context.opener().start(ctx, access, sessionId, connectionId, connections, info, changesBefore);
    }

    /**
     * A diagnostic login (the agent's {@code doctor}): prove ourselves and close, or, for an idle probe, echo bytes
     * on the raw connection so the doctor can find how long the path keeps an idle connection. No session starts,
     * so a running agent of the same client is not replaced.
     */
    private void answerProbe(ChannelHandlerContext ctx, Login login, ClientAccess access, KeepaliveSettings keepalive) {
        byte[] serverProof = TokenProof.serverProof(access.tokenKey(), login.clientId(), serverNonce, login.agentNonce());
        ChannelFuture answered = ctx.writeAndFlush(HandshakeCodec.encode(new LoginAccepted("probe",
                keepalive.time().toMillis(), keepalive.timeout().toMillis(), serverProof, List.of()), ctx.alloc()));
        log.debug("diagnostic login client={} remote={} idle_probe={}", login.clientId(), ctx.channel().remoteAddress(),
                (login.flags() & Login.PROBE_IDLE) != 0);
        if ((login.flags() & Login.PROBE_IDLE) == 0) {
            answered.addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.pipeline().addLast(new IdleProbeEcho());
        ctx.pipeline().remove(this);
        ctx.pipeline().remove(SessionPipeline.HANDSHAKE_DECODER);
    }

    private void refuse(ChannelHandlerContext ctx, Login login, String code, String message) {
        refuse(ctx, login, code, code, message);
    }

    /** Refuses with {@code code} on the wire; {@code reason} is what metrics and our log say. */
    private void refuse(ChannelHandlerContext ctx, Login login, String code, String reason, String message) {
        cancelTimeout();
        context.metrics().loginRefused(reason);
        long suppressed = context.refusalLog().admit("login/" + reason + "/" + ticket.address().getHostAddress());
        if (suppressed >= 0) {
            log.info("agent login refused client={} reason={} remote={} agent_version={} ({} more from this address "
                    + "since the last line)", safe(login.clientId()), reason, ctx.channel().remoteAddress(),
                    safe(login.agentVersion()), suppressed);
        }
        Channel channel = ctx.channel();
        channel.writeAndFlush(HandshakeCodec.encode(new LoginRefused(code, message), ctx.alloc()))
                .addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof DecoderException && cause.getCause() instanceof SSLException
                || cause instanceof NotSslRecordException || cause.getCause() instanceof NotSslRecordException) {
            context.metrics().loginRefused("tls_failed");
            long suppressed = context.refusalLog().admit("tls/" + ticket.address().getHostAddress());
            if (suppressed >= 0) {
                log.info("TLS handshake from {} failed: {} ({} more from this address since the last line)",
                        ctx.channel().remoteAddress(), rootMessage(cause), suppressed);
            }
        } else if (cause instanceof ProtocolException || cause.getCause() instanceof ProtocolException) {
            context.metrics().loginRefused(DisconnectCause.PROTOCOL_ERROR.wireName());
            log.info("closing connection from {} before login: {}", ctx.channel().remoteAddress(), cause.getMessage());
        } else {
            log.debug("connection from {} failed before login", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return ServerLoginHandler.safe(String.valueOf(root.getMessage()));
    }

    private void cancelTimeout() {
        if (handshakeTimeout != null) {
            handshakeTimeout.cancel(false);
        }
    }

    /** Client ids come from the network: keep log lines short and printable. */
    static String safe(String value) {
        if (value == null) {
            return "-";
        }
        String printable = value.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > 64 ? printable.substring(0, 64) + "..." : printable;
    }
}
