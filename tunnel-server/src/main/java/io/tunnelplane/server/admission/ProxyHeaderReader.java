package io.tunnelplane.server.admission;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * First handler of a visitor connection while {@code tunnel.server.access.trusted-proxies} is set. From a trusted
 * load balancer it reads the PROXY protocol header (autoRead off, on demand), takes the visitor's address from it
 * ({@link VisitorAddress}) and hands the connection on with the bytes that followed. From anyone else it refuses a
 * connection that starts with such a header (a forged visitor address) and hands every other one on untouched; it
 * waits for that only where visitors speak first ({@code untrusted} is then checked; elsewhere it is not added).
 */
public final class ProxyHeaderReader extends RoutingPeek {
    public static final String NAME = "proxy-header";
    /** A balancer sends its header at once: a trusted peer that sends none this long is not one. */
    private static final long TIMEOUT_SECONDS = 10;

    private final boolean trusted;
    private final BiConsumer<Channel, ByteBuf> next;
    private final Consumer<String> refused;
    private ScheduledFuture<?> deadline;
    private boolean over;

    /**
     * @param next    gets the connection and the bytes read after the header (its to release), once decided
     * @param refused hears the reason before the connection is reset
     */
    public ProxyHeaderReader(boolean trusted, BiConsumer<Channel, ByteBuf> next, Consumer<String> refused) {
        this.trusted = trusted;
        this.next = next;
        this.refused = refused;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        super.handlerAdded(ctx);
        deadline = ctx.executor().schedule(() -> refuse(ctx, "proxy_header_timeout"), TIMEOUT_SECONDS,
                TimeUnit.SECONDS);
        if (ctx.channel().isActive()) {
            ctx.read();
        }
    }

    @Override
    protected boolean route(ChannelHandlerContext ctx, CompositeByteBuf read) {
        if (!trusted) {
            if (!ProxyHeader.mayStartWithOne(read)) {
                handOn(ctx);
                return true;
            }
            if (read.readableBytes() < 12) {
                return false;
            }
            refuse(ctx, "untrusted_proxy_header");
            return true;
        }
        ProxyHeader.Parsed header;
        try {
            header = ProxyHeader.parse(read);
        } catch (IllegalArgumentException malformed) {
            refuse(ctx, "bad_proxy_header");
            return true;
        }
        if (header == null) {
            return false;
        }
        if (header.visitor() != null) {
            ctx.channel().attr(VisitorAddress.FORWARDED).set(header.visitor());
        }
        read.skipBytes(header.length());
        handOn(ctx);
        return true;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (deadline != null) {
            deadline.cancel(false);
        }
        super.handlerRemoved(ctx);
    }

    private void handOn(ChannelHandlerContext ctx) {
        over = true;
        ByteBuf rest = takeRead();
        Channel channel = ctx.channel();
        ctx.pipeline().remove(this);
        next.accept(channel, rest);
    }

    private void refuse(ChannelHandlerContext ctx, String reason) {
        if (over) {
            return;
        }
        over = true;
        refused.accept(reason);
        if (ctx.channel().isActive()) {
            ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
        }
        ctx.close();
    }
}
