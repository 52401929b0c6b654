package io.tunnelplane.protocol.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;

/** Native epoll where the platform has it, NIO otherwise; and the socket options every tunnel socket gets. */
public enum Transport {
    EPOLL,
    NIO;

    public static Transport best() {
        return Epoll.isAvailable() ? EPOLL : NIO;
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
     * Options for the session connection between agent and server: no Nagle delay, and kernel TCP keepalive with
     * short values where epoll lets us set them, so a dead idle path is also noticed below the application.
     */
    public void sessionOptions(Bootstrap bootstrap, Duration keepaliveIdle) {
        bootstrap.option(ChannelOption.TCP_NODELAY, true).option(ChannelOption.SO_KEEPALIVE, true);
        if (this == EPOLL) {
            bootstrap.option(EpollChannelOption.TCP_KEEPIDLE, keepaliveSeconds(keepaliveIdle))
                    .option(EpollChannelOption.TCP_KEEPINTVL, keepaliveSeconds(keepaliveIdle))
                    .option(EpollChannelOption.TCP_KEEPCNT, 3);
        }
    }

    public void sessionChildOptions(ServerBootstrap bootstrap, Duration keepaliveIdle) {
        bootstrap.childOption(ChannelOption.TCP_NODELAY, true).childOption(ChannelOption.SO_KEEPALIVE, true);
        if (this == EPOLL) {
            bootstrap.childOption(EpollChannelOption.TCP_KEEPIDLE, keepaliveSeconds(keepaliveIdle))
                    .childOption(EpollChannelOption.TCP_KEEPINTVL, keepaliveSeconds(keepaliveIdle))
                    .childOption(EpollChannelOption.TCP_KEEPCNT, 3);
        }
    }

    private static int keepaliveSeconds(Duration idle) {
        return (int) Math.max(1, idle.toSeconds());
    }
}
