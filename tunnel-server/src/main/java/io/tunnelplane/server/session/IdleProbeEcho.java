package io.tunnelplane.server.session;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The server's end of the doctor's idle probe: echoes whatever arrives so the doctor can tell whether a connection
 * that sat idle for a while still works. Closed after {@link #MAX_IDLE_MINUTES} whatever happens.
 */
final class IdleProbeEcho extends ChannelInboundHandlerAdapter {
    static final int MAX_IDLE_MINUTES = 16;
    private ScheduledFuture<?> deadline;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        deadline = ctx.executor().schedule(() -> {
            ctx.close();
        }, MAX_IDLE_MINUTES, TimeUnit.MINUTES);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ctx.writeAndFlush(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        deadline.cancel(false);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
