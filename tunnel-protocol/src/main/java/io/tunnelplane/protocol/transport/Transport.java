package io.tunnelplane.protocol.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import jdk.net.ExtendedSocketOptions;

/** The Netty transport (native epoll where available, else NIO) and the socket options every tunnel socket gets. */
public enum Transport {
    EPOLL,
    NIO;

    private static final ChannelOption<Integer> NIO_KEEPIDLE = NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPIDLE);
    private static final ChannelOption<Integer> NIO_KEEPINTVL =
            NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPINTERVAL);
    private static final ChannelOption<Integer> NIO_KEEPCNT = NioChannelOption.of(ExtendedSocketOptions.TCP_KEEPCOUNT);

    /**
     * Receive buffers of relayed TCP connections (visitors on the server, local services on the agent): one read
     * may grow to 1 MiB, so a busy connection costs few reads and few DATA frames.
     */
    public static final AdaptiveRecvByteBufAllocator RELAY_RECV_ALLOCATOR =
            new AdaptiveRecvByteBufAllocator(512, 64 * 1024, 1024 * 1024);

    /**
     * Bytes the HTTP/2 codec may queue in a session's outbound buffer before flow-controlled DATA waits: large
     * enough that one write moves a lot, small enough that a PING (written past the flow controller) waits behind
     * at most 1 MiB plus the socket buffer. See docs/keepalive.md for the resulting worst-case probe delay.
     */
    public static final WriteBufferWaterMark SESSION_WATER_MARK = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);

    /**
     * Native epoll where the platform has it, unless {@code -Dtunnel.transport=nio} asks for NIO.
     *
     * <p>Epoll dispatches a batch of ready events by file descriptor. A descriptor closed while the batch is handled
     * and reused by a socket created and registered later in the same batch would receive the old socket's pending
     * events (a connect that fails with NotYetConnectedException, a false half-close). So no socket is ever created
     * or registered on a loop from within its I/O handling: agents dial local services in a task, and listeners
     * accept on a loop of their own and register visitors on another. docs/adr/0002-epoll-transport.md.
     */
    public static Transport best() {
        if (!"nio".equalsIgnoreCase(System.getProperty("tunnel.transport")) && Epoll.isAvailable()) {
            return EPOLL;
        }
        return NIO;
    }

    /** The transport a channel runs on: what a socket opened on its event loop must use. */
    public static Transport of(Channel channel) {
        return channel instanceof EpollSocketChannel ? EPOLL : NIO;
    }

    public EventLoopGroup newGroup(int threads, String name) {
        DefaultThreadFactory threadFactory = new DefaultThreadFactory(name, true);
        return this == EPOLL
                ? new MultiThreadIoEventLoopGroup(threads, threadFactory, EpollIoHandler.newFactory())
                : new MultiThreadIoEventLoopGroup(threads, threadFactory, NioIoHandler.newFactory());
    }

    public Class<? extends ServerChannel> serverChannel() {
        return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    public Class<? extends SocketChannel> socketChannel() {
        return this == EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /**
     * A listener for visitors (public proxy ports, virtual-host ports): relays read on demand, half-close is passed
     * on, no Nagle delay. It accepts on {@code acceptLoop} and registers each visitor on {@code visitorLoop}, which
     * must be another loop, so that registration is a task there and never happens inside an I/O batch (see
     * {@link #best()}).
     */
    public ServerBootstrap visitorListener(EventLoop acceptLoop, EventLoop visitorLoop) {
        if (acceptLoop == visitorLoop) {
            throw new IllegalArgumentException("visitors must be registered on another loop than the accepting one");
        }
        return new ServerBootstrap().group(acceptLoop, visitorLoop).channel(serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, RELAY_RECV_ALLOCATOR);
    }

    /** Datagram sockets must read whole datagrams: Netty's default 2 KiB buffer would truncate larger ones. */
    public static final FixedRecvByteBufAllocator DATAGRAM_RECV_ALLOCATOR = new FixedRecvByteBufAllocator(65_536);

    public Class<? extends DatagramChannel> datagramChannel() {
        return this == EPOLL ? EpollDatagramChannel.class : NioDatagramChannel.class;
    }

    /**
     * Options for the session connection between agent and server: no Nagle delay, and kernel TCP keepalive with
     * short values where epoll lets us set them, so a dead idle path is also noticed below the application.
     */
    public void sessionOptions(Bootstrap bootstrap, Duration keepaliveIdle) {
        bootstrap.option(ChannelOption.TCP_NODELAY, true).option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, SESSION_WATER_MARK);
        if (this == EPOLL) {
            bootstrap.option(EpollChannelOption.TCP_KEEPIDLE, keepaliveSeconds(keepaliveIdle))
                    .option(EpollChannelOption.TCP_KEEPINTVL, keepaliveSeconds(keepaliveIdle))
                    .option(EpollChannelOption.TCP_KEEPCNT, 3);
        } else {
            bootstrap.option(NIO_KEEPIDLE, keepaliveSeconds(keepaliveIdle))
                    .option(NIO_KEEPINTVL, keepaliveSeconds(keepaliveIdle))
                    .option(NIO_KEEPCNT, 3);
        }
    }

    public void sessionChildOptions(ServerBootstrap bootstrap, Duration keepaliveIdle) {
        bootstrap.childOption(ChannelOption.TCP_NODELAY, true).childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, SESSION_WATER_MARK);
        if (this == EPOLL) {
            bootstrap.childOption(EpollChannelOption.TCP_KEEPIDLE, keepaliveSeconds(keepaliveIdle))
                    .childOption(EpollChannelOption.TCP_KEEPINTVL, keepaliveSeconds(keepaliveIdle))
                    .childOption(EpollChannelOption.TCP_KEEPCNT, 3);
        } else {
            bootstrap.childOption(NIO_KEEPIDLE, keepaliveSeconds(keepaliveIdle))
                    .childOption(NIO_KEEPINTVL, keepaliveSeconds(keepaliveIdle))
                    .childOption(NIO_KEEPCNT, 3);
        }
    }

    /**
     * Segments the kernel retransmitted on this connection so far ({@code tcpi_total_retrans}), or -1 where the
     * transport cannot tell (NIO, a closed channel). One {@code getsockopt}: call it per probe, not per read.
     */
    public static long retransmits(Channel channel) {
        if (channel instanceof EpollSocketChannel epoll && epoll.isActive()) {
            try {
                return epoll.tcpInfo().totalRetrans();
            } catch (ChannelException closedMeanwhile) {
                return -1;
            }
        }
        return -1;
    }

    private static int keepaliveSeconds(Duration idle) {
        return (int) Math.max(1, idle.toSeconds());
    }
}
