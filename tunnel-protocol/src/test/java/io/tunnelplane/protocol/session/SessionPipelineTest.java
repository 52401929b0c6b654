package io.tunnelplane.protocol.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerAdapter;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.tunnelplane.protocol.DisconnectCause;
import io.tunnelplane.protocol.keepalive.KeepaliveListener;
import io.tunnelplane.protocol.keepalive.KeepaliveMonitor;
import io.tunnelplane.protocol.keepalive.KeepaliveRole;
import io.tunnelplane.protocol.keepalive.KeepaliveSettings;
import io.tunnelplane.protocol.mux.GoAwayListener;
import io.tunnelplane.protocol.mux.MuxSettings;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Both ends' session pipelines over a real loopback connection, idle: the server leads the probing and the agent
 * follows, so the path carries one probe round trip per keepalive period, not one from each end.
 */
class SessionPipelineTest {
    private static final KeepaliveSettings KEEPALIVE = KeepaliveSettings.of(Duration.ofMillis(200), Duration.ofSeconds(2));

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Counts answered probes and records a death. */
    static final class Probes implements KeepaliveListener {
        final AtomicInteger answered = new AtomicInteger();
        final AtomicReference<DisconnectCause> dead = new AtomicReference<>();

        @Override
        public void onRtt(long rttNanos) {
            answered.incrementAndGet();
        }

        @Override
        public void onDead(DisconnectCause cause) {
            dead.set(cause);
        }
    }

    /** Stands in for the login handlers, which the session pipeline replaces. */
    private static void loginStandIns(Channel ch) {
        ch.pipeline().addLast(SessionPipeline.HANDSHAKE_DECODER, new ChannelInboundHandlerAdapter())
                .addLast(SessionPipeline.LOGIN, new ChannelInboundHandlerAdapter());
    }

    private static final GoAwayListener IGNORE_GOAWAYS = new GoAwayListener() {
        @Override
        public void sent(DisconnectCause cause, String detail) {
        }

        @Override
        public void received(DisconnectCause cause, String detail) {
        }
    };

    @Test
    void anIdleSessionIsProbedByTheServerAloneAndBothEndsStayUp() {
        Probes server = new Probes();
        Probes agent = new Probes();
        Channel listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        loginStandIns(ch);
                        ch.eventLoop().execute(() -> SessionPipeline.installServerEnd(ch,
                                new KeepaliveMonitor(KEEPALIVE, KeepaliveRole.LEAD, System::nanoTime), server,
                                MuxSettings.DEFAULTS, IGNORE_GOAWAYS, new ChannelInboundHandlerAdapter()));
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
        Channel client = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        loginStandIns(ch);
                        ch.eventLoop().execute(() -> SessionPipeline.installAgentEnd(ch,
                                new KeepaliveMonitor(KEEPALIVE, KeepaliveRole.FOLLOW, System::nanoTime), agent,
                                MuxSettings.DEFAULTS, new ChannelInboundHandlerAdapter(), IGNORE_GOAWAYS,
                                new ChannelInboundHandlerAdapter()));
                    }
                }).connect(listener.localAddress()).syncUninterruptibly().channel();
        try {
            // About two seconds idle: ten periods of 200 ms.
            await().atMost(Duration.ofSeconds(10)).until(() -> server.answered.get() >= 8);
            assertThat(client.pipeline().names()).containsSubsequence(SessionPipeline.INBOUND_ACTIVITY,
                    SessionPipeline.FLUSH_CONSOLIDATION, SessionPipeline.KEEPALIVE, SessionPipeline.SESSION)
                    .doesNotContain(SessionPipeline.LOGIN, SessionPipeline.HANDSHAKE_DECODER);
            // The follower's own probes: RTT samples every 1.6 s at most; a second lead would have sent eight.
            assertThat(agent.answered.get()).isLessThanOrEqualTo(2);
            assertThat(server.dead.get()).isNull();
            assertThat(agent.dead.get()).isNull();
            assertThat(client.isActive()).isTrue();
        } finally {
            client.close().syncUninterruptibly();
            listener.close().syncUninterruptibly();
        }
    }

    @Test
    void eachEndInsistsOnItsRole() {
        KeepaliveMonitor follower = new KeepaliveMonitor(KEEPALIVE, KeepaliveRole.FOLLOW, System::nanoTime);
        assertThatThrownBy(() -> SessionPipeline.installServerEnd(new EmbeddedChannel(), follower, new Probes(),
                MuxSettings.DEFAULTS, IGNORE_GOAWAYS, new ChannelHandlerAdapter() {
                }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("LEAD");
    }
}
