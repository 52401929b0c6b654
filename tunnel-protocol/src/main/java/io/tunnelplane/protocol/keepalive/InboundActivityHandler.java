package io.tunnelplane.protocol.keepalive;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Sits first in the session pipeline and marks every read as proof of life, whatever frame (or part of one) the
 * bytes belong to: data for a stream counts exactly as much as a ping answer.
 */
public final class InboundActivityHandler extends ChannelInboundHandlerAdapter {
    public static final String NAME = "inbound-activity";

    private final KeepaliveMonitor monitor;

    public InboundActivityHandler(KeepaliveMonitor monitor) {
        this.monitor = monitor;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        monitor.onInbound();
        ctx.fireChannelRead(msg);
    }
}
