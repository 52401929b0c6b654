package io.tunnelplane.agent;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.tunnelplane.protocol.DisconnectCause;
import io.tunnelplane.protocol.ProtocolException;
import io.tunnelplane.protocol.ProtocolVersion;
import io.tunnelplane.protocol.handshake.AgentHost;
import io.tunnelplane.protocol.handshake.HandshakeCodec;
import io.tunnelplane.protocol.handshake.Login;
import io.tunnelplane.protocol.handshake.LoginAccepted;
import io.tunnelplane.protocol.handshake.LoginRefused;
import io.tunnelplane.protocol.handshake.PauseReport;
import io.tunnelplane.protocol.handshake.ServerHello;
import io.tunnelplane.protocol.handshake.TokenProof;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's side of the login: answers the server's nonce with a proof of the token, checks the server's proof
 * in return, and hands over to {@link AgentSession} once accepted.
 */
final class AgentLoginHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger("io.tunnelplane.agent");
    private static final AgentHost HOST = AgentHost.current();

    private final AgentSettings settings;
    private final Duration keepaliveTime;
    private final AgentSession session;
    private final DisconnectCause previousCause;
    private final PauseReport previousPause;
    private final int attempts;
    private final String connectionId;
    private final int connectionsHere;
    private final byte[] agentNonce = TokenProof.newNonce();
    private byte[] serverNonce;

    AgentLoginHandler(AgentSettings settings, Duration keepaliveTime, AgentSession session,
            DisconnectCause previousCause, PauseReport previousPause, int attempts, String connectionId,
            int connectionsHere) {
        this.previousPause = previousPause;
        this.connectionId = connectionId;
        this.connectionsHere = connectionsHere;
        this.settings = settings;
        this.keepaliveTime = keepaliveTime;
        this.session = session;
        this.previousCause = previousCause;
        this.attempts = attempts;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ServerHello hello && serverNonce == null) {
            onHello(ctx, hello);
        } else if (msg instanceof LoginAccepted accepted && serverNonce != null) {
            onAccepted(ctx, accepted);
        } else if (msg instanceof LoginRefused refused) {
            onRefused(ctx, refused);
        } else {
            ReferenceCountUtil.release(msg);
            throw new ProtocolException("unexpected handshake message " + msg.getClass().getSimpleName());
        }
    }

    private void onHello(ChannelHandlerContext ctx, ServerHello hello) {
        if (hello.protocolVersion() != ProtocolVersion.CURRENT) {
            session.failLogin(SessionOutcome.fatal(DisconnectCause.PROTOCOL_ERROR, ExitCode.USAGE,
                    "server speaks protocol " + hello.protocolVersion() + ", this agent speaks "
                            + ProtocolVersion.CURRENT + ": install the agent matching server " + hello.serverVersion()));
            ctx.close();
            return;
        }
        serverNonce = hello.nonce();
        session.greeted();
        String clientId = settings.token().clientId();
        byte[] proof = TokenProof.agentProof(settings.token().key(), clientId, serverNonce, agentNonce);
        // A pause of ours rides along the previous cause (a server that does not know it reads the cause only).
        String previous = previousPause == null ? previousCause.wireName()
                : previousPause.appendTo(previousCause.wireName());
        ctx.writeAndFlush(HandshakeCodec.encode(new Login(ProtocolVersion.CURRENT, clientId, agentNonce, proof,
                AgentVersion.current(), previous, attempts,
                millisOrZero(keepaliveTime), millisOrZero(settings.keepaliveTimeout()), Login.CLUSTER_UPDATES, HOST,
                connectionId, connectionsHere), ctx.alloc()));
    }

    private void onAccepted(ChannelHandlerContext ctx, LoginAccepted accepted) {
        byte[] expected = TokenProof.serverProof(settings.token().key(), settings.token().clientId(), serverNonce,
                agentNonce);
        if (!TokenProof.matches(expected, accepted.serverProof())) {
            session.failLogin(SessionOutcome.fatal(DisconnectCause.AUTH_FAILED, ExitCode.AUTH_REFUSED,
                    "the server could not prove it knows this token: wrong server address or an impostor"));
            ctx.close();
            return;
        }
        KeepaliveDifference.describe(keepaliveTime, settings.keepaliveTimeout(),
                Duration.ofMillis(accepted.keepaliveTimeMillis()), Duration.ofMillis(accepted.keepaliveTimeoutMillis()))
                .ifPresent(log::info);
        session.established(ctx, accepted);
    }

    private void onRefused(ChannelHandlerContext ctx, LoginRefused refused) {
        SessionOutcome outcome = switch (refused.code()) {
            case LoginRefused.AUTH_FAILED -> SessionOutcome.fatal(DisconnectCause.AUTH_FAILED, ExitCode.AUTH_REFUSED,
                    "the server refused the token (" + refused.message() + "): check --token");
            case LoginRefused.PROTOCOL_VERSION -> SessionOutcome.fatal(DisconnectCause.PROTOCOL_ERROR, ExitCode.USAGE,
                    refused.message());
            default -> new SessionOutcome(DisconnectCause.CONNECT_FAILED, false, null,
                    "login refused: " + refused.code() + " " + refused.message());
        };
        session.failLogin(outcome);
        ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        session.handshakeError(cause);
    }

    /** A failed TLS handshake may close the connection without an exception passing here: take it from the event. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof SslHandshakeCompletionEvent handshake) {
            if (handshake.isSuccess()) {
                session.tlsEstablished();
            } else {
                session.handshakeError(handshake.cause());
            }
        }
        ctx.fireUserEventTriggered(event);
    }

    private static long millisOrZero(Duration duration) {
        return duration == null ? 0 : duration.toMillis();
    }
}
