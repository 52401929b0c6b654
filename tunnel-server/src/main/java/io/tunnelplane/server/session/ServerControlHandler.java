package io.tunnelplane.server.session;

import io.tunnelplane.protocol.DisconnectCause;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.tunnelplane.protocol.control.ControlMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The server's end of the control stream: records what the agent reports about its proxies
 * and its host. */
final class ServerControlHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger("io.tunnelplane.session");

    private final AgentSession session;

    ServerControlHandler(AgentSession session) {
        this.session = session;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ControlMessage.ProxyStatus status) {
            session.group().localStatus(status.proxyId(),
                    ControlMessage.ProxyStatus.LOCAL_UNREACHABLE.equals(status.state()) ? status.detail() : null);
            log.info("proxy status client={} proxy_id={} state={} detail={}", session.clientId(), status.proxyId(),
                    status.state(), ServerLoginHandler.safe(status.detail()));
        } else if (msg instanceof ControlMessage.HostReport report) {
            session.hostReport(report);
        }
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.info("control stream of client={} failed: {}", session.clientId(), cause.toString());
        session.end(DisconnectCause.PROTOCOL_ERROR);
    }
}
