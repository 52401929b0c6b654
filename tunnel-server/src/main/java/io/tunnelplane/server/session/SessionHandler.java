package io.tunnelplane.server.session;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.util.ReferenceCountUtil;
import io.tunnelplane.protocol.DisconnectCause;
import io.tunnelplane.protocol.ProtocolException;
import io.tunnelplane.protocol.keepalive.PingStrikes;
import io.tunnelplane.protocol.session.SessionErrors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last handler of a logged-in session: turns errors into causes and, when the connection closes, hands the session
 * to {@link SessionEnd} exactly once.
 */
final class SessionHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger("io.tunnelplane.session");

    private final AgentSession session;
    private final SessionEnd sessionEnd;
    private final PingStrikes pingStrikes;
    private Throwable lastError;

    SessionHandler(AgentSession session, SessionEnd sessionEnd, PingStrikes pingStrikes) {
        this.session = session;
        this.sessionEnd = sessionEnd;
        this.pingStrikes = pingStrikes;
    }

    /**
     * Connection-level frames end here (GOAWAYs are read through the codec's connection listener); the agent's
     * own PINGs are checked against the minimum interval.
     */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2PingFrame ping && !ping.ack() && pingStrikes.onPing()) {
            session.end(DisconnectCause.TOO_MANY_PINGS);
        }
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!SessionErrors.isNetworkOrPeer(cause)) {
            log.warn("session {} of client {} failed on an unexpected error (a bug: please report it with this stack)",
                    session.sessionId(), session.clientId(), cause);
        }
        lastError = cause;
        if (cause instanceof Http2Exception || cause instanceof ProtocolException
                || cause.getCause() instanceof Http2Exception) {
            session.end(DisconnectCause.PROTOCOL_ERROR);
        } else {
            ctx.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        sessionEnd.finish(session, lastError);
        ctx.fireChannelInactive();
    }
}
