import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;

/**
 * The two-relay limit: a plain TCP relay with no framing, no flow control and no TLS, the shape of a tunnel's two
 * hops (chain two of them). {@code java -cp tunnel-agent/target/tunnel-agent.jar bench/NettyRelay.java LISTEN:TARGET...}
 * Epoll, autoRead off with one read in flight per direction, the outbound connection on the inbound one's event
 * loop, reads that grow to 1 MiB, one flush per read burst and the next read once that flush is written.
 */
public class NettyRelay {
    public static void main(String[] args) throws Exception {
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
        for (String pair : args) {
            String[] ports = pair.split(":");
            relay(loops, Integer.parseInt(ports[0]), Integer.parseInt(ports[1]));
        }
        loops.terminationFuture().sync();
    }

    static void relay(EventLoopGroup loops, int listen, int target) throws InterruptedException {
        AdaptiveRecvByteBufAllocator reads = new AdaptiveRecvByteBufAllocator(512, 64 * 1024, 1024 * 1024);
        new ServerBootstrap().group(loops).channel(EpollServerSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, false).childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, reads)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel inbound) {
                        new Bootstrap().group(inbound.eventLoop()).channel(EpollSocketChannel.class)
                                .option(ChannelOption.AUTO_READ, false).option(ChannelOption.TCP_NODELAY, true)
                                .option(ChannelOption.RCVBUF_ALLOCATOR, reads)
                                .handler(new Pipe(inbound))
                                .connect("127.0.0.1", target).addListener((ChannelFutureListener) f -> {
                                    if (!f.isSuccess()) {
                                        inbound.close();
                                        return;
                                    }
                                    inbound.pipeline().addLast(new Pipe(f.channel()));
                                    inbound.read();
                                    f.channel().read();
                                });
                    }
                })
                .bind("127.0.0.1", listen).sync();
    }

    /** Writes what one channel reads to the other; reads again once the burst is flushed. */
    static final class Pipe extends ChannelInboundHandlerAdapter {
        private final Channel to;

        Pipe(Channel to) {
            this.to = to;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            to.write(msg, to.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            to.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    ctx.channel().read();
                } else {
                    ctx.close();
                }
            });
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            to.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
