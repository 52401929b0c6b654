package io.tunnelplane.server.admission;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
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
public final class ProxyHeaderReader extends ChannelInboundHandlerAdapter {
    public static final String NAME = "proxy-header";
    /** A balancer sends its header at once: a trusted peer that sends none this long is not one. */
    private static final long TIMEOUT_SECONDS = 10;

    private final boolean trusted;
    private final BiConsumer<Channel, ByteBuf> next;
    private final Consumer<String> refused;
    private CompositeByteBuf read;
    private ScheduledFuture<?> deadline;
    private boolean decided;

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
        read = ctx.alloc().compositeBuffer();
        deadline = ctx.executor().schedule(() -> refuse(ctx, "proxy_header_timeout"), TIMEOUT_SECONDS,
                TimeUnit.SECONDS);
        if (ctx.channel().isActive()) {
            ctx.read();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (decided) {
            ((ByteBuf) msg).release();
            return;
        }
        read.addComponent(true, (ByteBuf) msg);
        if (trusted) {
            ProxyHeader.Parsed header;
            try {
                header = ProxyHeader.parse(read);
            } catch (IllegalArgumentException malformed) {
                refuse(ctx, "bad_proxy_header");
                return;
            }
            if (header != null) {
                if (header.visitor() != null) {
                    ctx.channel().attr(VisitorAddress.FORWARDED).set(header.visitor());
                }
                read.skipBytes(header.length());
                handOn(ctx);
            }
        } else if (ProxyHeader.mayStartWithOne(read)) {
            if (read.readableBytes() >= 12) {
                refuse(ctx, "untrusted_proxy_header");
            }
        } else {
            handOn(ctx);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!decided) {
            ctx.read();
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (deadline != null) {
            deadline.cancel(false);
        }
        if (read != null) {
            read.release();
            read = null;
        }
    }

    private void handOn(ChannelHandlerContext ctx) {
        decided = true;
        ByteBuf rest = read;
        read = null;
        Channel channel = ctx.channel();
        ctx.pipeline().remove(this);
        next.accept(channel, rest);
    }

    private void refuse(ChannelHandlerContext ctx, String reason) {
        if (decided) {
            return;
        }
        decided = true;
        refused.accept(reason);
        if (ctx.channel().isActive()) {
            ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
        }
        ctx.close();
    }
}
