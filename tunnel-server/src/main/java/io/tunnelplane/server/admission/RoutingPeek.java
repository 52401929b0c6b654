package io.tunnelplane.server.admission;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * A first handler that reads (on demand, autoRead off) until {@link #route} can decide where the connection goes,
 * keeping every byte so whoever takes it gets the connection from its first byte: the virtual hosts (by Host
 * header or TLS server name) and the PROXY protocol header of a trusted load balancer.
 */
public abstract class RoutingPeek extends ChannelInboundHandlerAdapter {
    private CompositeByteBuf read;
    private boolean decided;

    /**
     * Looks at what was read so far. Returns false to read more; true once decided, after taking the bytes with
     * {@link #takeRead()} (to hand them on) or leaving them to be released.
     */
    protected abstract boolean route(ChannelHandlerContext ctx, CompositeByteBuf read);

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        read = ctx.alloc().compositeBuffer();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (decided) {
            ((ByteBuf) msg).release(); // cannot happen with autoRead off; never leak if it does
            return;
        }
        read.addComponent(true, (ByteBuf) msg);
        decided = route(ctx, read);
    }

    /** The bytes read so far, now the caller's to release or pass on. */
    protected ByteBuf takeRead() {
        ByteBuf taken = read;
        read = null;
        return taken;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!decided) {
            ctx.read();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (read != null) {
            read.release();
            read = null;
        }
    }
}
