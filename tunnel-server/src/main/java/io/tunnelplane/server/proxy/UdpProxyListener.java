package io.tunnelplane.server.proxy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import io.tunnelplane.protocol.control.ProxySpec;
import io.tunnelplane.protocol.mux.DatagramFlow;
import io.tunnelplane.protocol.mux.StreamHeaders;
import io.tunnelplane.protocol.transport.Transport;
import io.tunnelplane.server.accesslog.AccessLog;
import io.tunnelplane.server.admission.BandwidthLimits;
import io.tunnelplane.server.metrics.TunnelMetrics;
import io.tunnelplane.server.session.AgentSession;
import io.tunnelplane.server.session.ProxyListener;
import io.tunnelplane.server.session.SessionGroup;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The public UDP port of a proxy. Each visitor address is a flow with a stream of its own, so replies go back to
 * the right sender and one chatty visitor cannot stall another; a flow quiet for {@link #IDLE} is closed, and at
 * most {@link #MAX_FLOWS} exist at once (datagrams of further senders are dropped and counted). The port rides on
 * one session of the group; when that session leaves, the group opens the port again on a sibling.
 */
final class UdpProxyListener extends ChannelInboundHandlerAdapter {
    static final Duration IDLE = Duration.ofSeconds(60);
    static final int MAX_FLOWS = 4096;
    /** A UDP burst may be well ahead of the session's flushes; only a stalled session should make us drop. */
    private static final WriteBufferWaterMark FLOW_WATER_MARK = new WriteBufferWaterMark(1 << 20, 2 << 20);

    private final AgentSession session;
    private final ProxySpec proxy;
    private final TunnelMetrics metrics;
    private final Counter dropped;
    private final DistributionSummary bytesIn;
    private final DistributionSummary bytesOut;
    private final Map<InetSocketAddress, Flow> flows = new HashMap<>();
    private final AccessLog accessLog;
    /** Flows written to during the current read batch, flushed once at its end. */
    private final Set<DatagramFlow> written = new HashSet<>();
    private Channel udp;
    private ScheduledFuture<?> sweep;

    /** The proxy's source rules, asked for every datagram: a rule change applies to running flows at once. */
    private final Predicate<InetSocketAddress> admits;

    /** The port's bandwidth limits: a datagram over them is dropped, never queued. */
    private final BandwidthLimits.Pacer pacer;

    private UdpProxyListener(AgentSession session, ProxySpec proxy, TunnelMetrics metrics,
            Predicate<InetSocketAddress> admits, BandwidthLimits.Pacer pacer, AccessLog accessLog) {
        this.accessLog = accessLog;
        this.admits = admits;
        this.pacer = pacer;
        this.session = session;
        this.proxy = proxy;
        this.metrics = metrics;
        this.dropped = metrics.datagramsDropped(proxy.name());
        this.bytesIn = metrics.proxyBytes(proxy.name(), proxy.type(), "in");
        this.bytesOut = metrics.proxyBytes(proxy.name(), proxy.type(), "out");
    }

    /** Binds the port on {@code session}'s loop: every flow of this port is a stream of that session. */
    static Future<ProxyListener> open(SessionGroup group, AgentSession session, ProxySpec proxy, String bindAddress,
            TunnelMetrics metrics, Predicate<InetSocketAddress> admits, BandwidthLimits.Pacer pacer,
            AccessLog accessLog) {
        return ProxyListeners.listening(new Bootstrap().group(session.eventLoop())
                .channel(Transport.of(session.channel()).datagramChannel())
                .option(ChannelOption.RCVBUF_ALLOCATOR, Transport.DATAGRAM_RECV_ALLOCATOR)
                .option(ChannelOption.SO_RCVBUF, 4 << 20).option(ChannelOption.SO_SNDBUF, 4 << 20)
                .handler(new UdpProxyListener(session, proxy, metrics, admits, pacer, accessLog))
                .bind(new InetSocketAddress(bindAddress, proxy.remotePort())), group, proxy, session);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        udp = ctx.channel();
        long period = IDLE.toMillis() / 4;
        sweep = ctx.executor().scheduleAtFixedRate(this::closeIdleFlows, period, period, TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket packet)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!admits.test(packet.sender())) {
            packet.release();
            Flow refused = flows.get(packet.sender());
            if (refused != null) {
                refused.end("refused");
            }
            return;
        }
        Flow flow = flows.get(packet.sender());
        if (flow == null) {
            if (flows.size() >= MAX_FLOWS || !session.channel().isActive()) {
                packet.release();
                dropped.increment();
                return;
            }
            flow = openFlow(packet.sender());
        }
        if (!pacer.tryUse(true, packet.content().readableBytes())) {
            packet.release();
            dropped.increment();
            return;
        }
        long before = flow.relay.dropped();
        flow.bytesIn += packet.content().readableBytes();
        bytesIn.record(packet.content().readableBytes());
        session.relayed(packet.content().readableBytes(), 0);
        flow.relay.send(packet.content());
        written.add(flow.relay);
        if (flow.relay.dropped() > before) {
            dropped.increment(flow.relay.dropped() - before);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        written.forEach(DatagramFlow::flush);
        written.clear();
        ctx.fireChannelReadComplete();
    }

    /** One sender's flow: its stream to the agent, and what it carried for its access-log line. */
    private static final class Flow {
        final Instant start = Instant.now();
        DatagramFlow relay;
        long bytesIn;
        long bytesOut;
        String outcome = "closed";

        void end(String why) {
            outcome = why;
            relay.close();
        }
    }

    private Flow openFlow(InetSocketAddress sender) {
        Flow flow = new Flow();
        DatagramFlow relay = new DatagramFlow(new DatagramFlow.LocalEnd() {
            @Override
            public void write(ByteBuf datagram) {
                if (!pacer.tryUse(false, datagram.readableBytes())) {
                    datagram.release();
                    dropped.increment();
                    return;
                }
                flow.bytesOut += datagram.readableBytes();
                bytesOut.record(datagram.readableBytes());
                session.relayed(0, datagram.readableBytes());
                udp.write(new DatagramPacket(datagram, sender), udp.voidPromise());
            }

            @Override
            public void flush() {
                udp.flush();
            }

            @Override
            public void closed() {
                flows.remove(sender);
                session.streamClosed(flow.bytesIn, flow.bytesOut);
                metrics.streamClosed();
                accessLog.record(AccessLog.ended("flow", session.clientId(), proxy, sender, flow.start, flow.bytesIn,
                        flow.bytesOut, flow.outcome));
            }
        });
        flow.relay = relay;
        flows.put(sender, flow);
        session.streamOpened();
        metrics.streamOpened(proxy.name(), proxy.type());
        new Http2StreamChannelBootstrap(session.channel())
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, FLOW_WATER_MARK)
                .handler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel stream) {
                        stream.writeAndFlush(new DefaultHttp2HeadersFrame(StreamHeaders.proxy(
                                new StreamHeaders.ProxyStream(proxy.id(), StreamHeaders.ProxyStream.UDP, sender,
                                        (InetSocketAddress) udp.localAddress()))));
                        stream.pipeline().addLast(DatagramFlow.NAME, relay);
                    }
                })
                .open()
                .addListener(opened -> {
                    if (!opened.isSuccess()) {
                        relay.close();
                    }
                });
        return flow;
    }

    private void closeIdleFlows() {
        for (Flow flow : new ArrayList<>(flows.values())) {
            if (flow.relay.idleNanos() > IDLE.toNanos()) {
                flow.end("idle");
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (sweep != null) {
            sweep.cancel(false);
        }
        new ArrayList<>(flows.values()).forEach(flow -> flow.relay.close());
        ctx.fireChannelInactive();
    }
}
