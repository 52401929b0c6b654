package io.tunnelplane.server.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.tunnelplane.agent.Agent;
import io.tunnelplane.server.support.FreePorts;
import io.tunnelplane.server.support.TestAgents;
import io.tunnelplane.server.support.TestServer;
import io.tunnelplane.server.support.Visitor;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** With {@code proxy-protocol: v2} the local service learns each visitor's address from the agent's first bytes. */
class ProxyProtocolIT {

    @Test
    void theLocalServiceSeesTheVisitorsAddressBeforeItsBytes() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        BlockingQueue<String> seen = new LinkedBlockingQueue<>();
        Channel backend = proxyProtocolEcho(group, seen);
        int publicPort = FreePorts.inRange(10000, 20000);
        Map<String, Object> props = TestServer.defaults();
        TestServer.client(props, "pp", "pp.secret");
        TestServer.proxy(props, 0, "echo", ((InetSocketAddress) backend.localAddress()).getPort(), publicPort);
        props.put("tunnel.server.clients[0].proxies[0].proxy-protocol", "v2");
        try (TestServer server = TestServer.start(props)) {
            Agent agent = TestAgents.start(server.agentPort(), "pp.secret", Duration.ofSeconds(1));
            try {
                Visitor.awaitEcho(publicPort, Duration.ofSeconds(20));
                seen.clear();
                try (Socket visitor = Visitor.connect(publicPort)) {
                    visitor.getOutputStream().write("ping".getBytes());
                    assertThat(visitor.getInputStream().readNBytes(4)).as("the echo, without the header")
                            .isEqualTo("ping".getBytes());
                    assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo("TCP4 127.0.0.1:" + visitor.getLocalPort()
                            + " -> 127.0.0.1:" + publicPort);
                }
            } finally {
                agent.stop();
            }
        } finally {
            backend.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /** Decodes the PROXY header with Netty's own codec, reports it, then echoes what follows. */
    private static Channel proxyProtocolEcho(EventLoopGroup group, BlockingQueue<String> seen) {
        return new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HAProxyMessageDecoder(), new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                if (msg instanceof HAProxyMessage header) {
                                    seen.add(header.proxiedProtocol() + " " + header.sourceAddress() + ":"
                                            + header.sourcePort() + " -> " + header.destinationAddress() + ":"
                                            + header.destinationPort());
                                    header.release();
                                } else {
                                    ctx.writeAndFlush(msg);
                                }
                            }
                        });
                    }
                }).bind("127.0.0.1", 0).syncUninterruptibly().channel();
    }
}
