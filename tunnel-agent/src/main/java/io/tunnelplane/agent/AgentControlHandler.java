package io.tunnelplane.agent;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.tunnelplane.protocol.control.ControlMessage;
import io.tunnelplane.protocol.control.ProxySpec;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's end of the control stream: applies the proxy lists and cluster changes the server pushes, reports
 * the host's resources.
 */
final class AgentControlHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger("io.tunnelplane.agent");

    private final AgentState state;
    private ScheduledFuture<?> hostReports;

    AgentControlHandler(AgentState state) {
        this.state = state;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        state.controlOpened(ctx.channel());
        Duration interval = state.hostReportInterval();
        reportHost(ctx);
        hostReports = ctx.executor().scheduleAtFixedRate(() -> reportHost(ctx), interval.toMillis(),
                interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        state.controlClosed(ctx.channel());
        state.sessionClosed(ctx.channel().parent());
        if (hostReports != null) {
            hostReports.cancel(false);
        }
    }

    /** Reading /proc can touch the disk-backed procfs: do it off the event loop, then write the result. */
    private static void reportHost(ChannelHandlerContext ctx) {
        CompletableFuture.supplyAsync(HostResources::read).thenAccept(report -> {
            if (ctx.channel().isActive()) {
                ctx.channel().writeAndFlush(report);
            }
        });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ControlMessage.ProxyList list
                && state.apply(ctx.channel().parent(), list.version(), list.proxies())) {
            log.info("serving {} proxies (version {}){}", list.proxies().size(), list.version(), describe(list));
        } else if (msg instanceof ControlMessage.ClusterNodes cluster) {
            state.clusterChanged(cluster.nodes());
        }
        ReferenceCountUtil.release(msg);
    }

    private static String describe(ControlMessage.ProxyList list) {
        StringBuilder text = new StringBuilder();
        for (ProxySpec proxy : list.proxies()) {
            text.append(text.length() == 0 ? ": " : ", ").append(proxy.name()).append(" :").append(proxy.remotePort())
                    .append(" -> ").append(proxy.localHost()).append(':').append(proxy.localPort());
        }
        return text.toString();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.warn("control stream failed: {}", cause.toString());
        ctx.channel().parent().close();
    }
}
