package io.tunnelplane.agent;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.tunnelplane.protocol.ProtocolException;
import io.tunnelplane.protocol.control.ControlMessage;
import io.tunnelplane.protocol.control.ControlStreamCodec;
import io.tunnelplane.protocol.control.ProxySpec;
import io.tunnelplane.protocol.mux.DatagramFlow;
import io.tunnelplane.protocol.mux.ProxyProtocolHeader;
import io.tunnelplane.protocol.mux.RelayListener;
import io.tunnelplane.protocol.mux.StreamHeaders;
import io.tunnelplane.protocol.mux.StreamRelay;
import io.tunnelplane.protocol.transport.Transport;
import java.util.ArrayDeque;
import java.util.Queue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First handler of every stream the server opens. The opening HEADERS say what the stream is: the control stream,
 * or a connection for a proxy, which we dial on the stream's own event loop as soon as it has handled its ready
 * sockets. DATA that arrives while we dial waits here (bounded by the stream window) and is relayed first once the
 * local connection is up.
 */
final class StreamRouter extends ChannelInboundHandlerAdapter {
    static final String NAME = "router";
    private static final Logger log = LoggerFactory.getLogger("io.tunnelplane.agent");

    private final AgentState state;
    private final Queue<Object> early = new ArrayDeque<>();
    private ChannelFuture dial;
    private boolean routed;

    StreamRouter(AgentState state) {
        this.state = state;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (routed) {
            early.add(msg);
            return;
        }
        if (!(msg instanceof Http2HeadersFrame headers)) {
            ReferenceCountUtil.release(msg);
            throw new ProtocolException("stream did not start with HEADERS");
        }
        routed = true;
        if (StreamHeaders.isControl(headers.headers())) {
            routeControl(ctx);
            return;
        }
        StreamHeaders.ProxyStream open = StreamHeaders.parseProxy(headers.headers());
        ProxySpec proxy = state.proxy(ctx.channel().parent(), open.proxyId());
        boolean udp = StreamHeaders.ProxyStream.UDP.equals(open.kind());
        if (proxy == null || !(udp || StreamHeaders.ProxyStream.TCP.equals(open.kind()))) {
            log.warn("server opened a stream for unknown proxy id={} kind={}", open.proxyId(), open.kind());
            refuse(ctx.channel(), StreamHeaders.STATUS_UNKNOWN_PROXY);
            return;
        }
        // We are inside the loop's handling of ready sockets: a socket created now could take the descriptor of
        // one closed earlier in the same batch and receive its stale events (Transport.best()), so dial in a task.
        ctx.channel().eventLoop().execute(() -> {
            if (!ctx.channel().isActive()) {
                drainEarly();
            } else if (udp) {
                openDatagrams(ctx, proxy);
            } else {
                dialLocal(ctx, proxy, open);
            }
        });
    }

    /**
     * A UDP flow: a datagram socket connected to the local service, so its replies come back to this flow only.
     * Datagrams that arrived while it was being set up are replayed first.
     */
    private void openDatagrams(ChannelHandlerContext ctx, ProxySpec proxy) {
        Channel stream = ctx.channel();
        DatagramFlow[] flow = new DatagramFlow[1];
        dial = new Bootstrap()
                .group(stream.eventLoop())
                .channel(Transport.of(stream.parent()).datagramChannel())
                .option(ChannelOption.RCVBUF_ALLOCATOR, Transport.DATAGRAM_RECV_ALLOCATOR)
                .option(ChannelOption.SO_RCVBUF, 4 << 20).option(ChannelOption.SO_SNDBUF, 4 << 20)
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext local, Object msg) {
                        if (msg instanceof DatagramPacket packet && flow[0] != null) {
                            flow[0].send(packet.content());
                        } else {
                            ReferenceCountUtil.release(msg);
                        }
                    }

                    @Override
                    public void channelReadComplete(ChannelHandlerContext local) {
                        if (flow[0] != null) {
                            flow[0].flush();
                        }
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext local, Throwable cause) {
                        // ICMP port unreachable and the like: UDP promises nothing, the flow goes on
                        log.debug("local datagram error proxy={}: {}", proxy.name(), cause.toString());
                    }
                })
                .connect(proxy.localHost(), proxy.localPort());
        dial.addListener((ChannelFuture connected) -> {
            if (!connected.isSuccess() || !stream.isActive()) {
                drainEarly();
                connected.channel().close();
                refuse(stream, StreamHeaders.STATUS_UNREACHABLE);
                return;
            }
            Channel local = connected.channel();
            flow[0] = new DatagramFlow(new DatagramFlow.LocalEnd() {
                @Override
                public void write(ByteBuf datagram) {
                    local.write(datagram, local.voidPromise());
                }

                @Override
                public void flush() {
                    local.flush();
                }

                @Override
                public void closed() {
                    local.close();
                }
            });
            stream.write(new DefaultHttp2HeadersFrame(StreamHeaders.response(StreamHeaders.STATUS_OK)));
            stream.pipeline().replace(this, DatagramFlow.NAME, flow[0]);
            Object frame;
            ChannelHandlerContext flowContext = stream.pipeline().context(DatagramFlow.NAME);
            while ((frame = early.poll()) != null) {
                flow[0].channelRead(flowContext, frame);
            }
            local.flush();
            stream.flush();
            stream.read();
        });
    }

    private void routeControl(ChannelHandlerContext ctx) {
        Channel stream = ctx.channel();
        stream.pipeline().addLast(new ControlStreamCodec(), new AgentControlHandler(state));
        stream.pipeline().remove(this);
        stream.writeAndFlush(new DefaultHttp2HeadersFrame(StreamHeaders.response(StreamHeaders.STATUS_OK)));
        stream.config().setAutoRead(true);
    }

    private void dialLocal(ChannelHandlerContext ctx, ProxySpec proxy, StreamHeaders.ProxyStream open) {
        Channel stream = ctx.channel();
        dial = new Bootstrap()
                .group(stream.eventLoop())
                .channel(Transport.of(stream.parent()).socketChannel())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .option(ChannelOption.RCVBUF_ALLOCATOR, Transport.RELAY_RECV_ALLOCATOR)
                .handler(DialErrors.INSTANCE)
                .connect(proxy.localHost(), proxy.localPort());
        dial.addListener((ChannelFuture connected) -> {
            if (!stream.isActive()) {
                // The visitor went away (RST_STREAM) while we dialed: nothing to report about the service.
                drainEarly();
                connected.channel().close();
                return;
            }
            if (!connected.isSuccess()) {
                unreachable(proxy, proxy.localHost() + ":" + proxy.localPort() + ": " + connected.cause().getMessage());
                drainEarly();
                refuse(stream, connected.cause() instanceof ConnectTimeoutException
                        ? StreamHeaders.STATUS_TIMED_OUT : StreamHeaders.STATUS_UNREACHABLE);
                return;
            }
            Channel local = connected.channel();
            local.pipeline().remove(DialErrors.INSTANCE);
            if (!proxy.localTls()) {
                reachable(proxy);
            }
            stream.write(new DefaultHttp2HeadersFrame(StreamHeaders.response(StreamHeaders.STATUS_OK)));
            stream.pipeline().remove(this);
            if (proxy.proxyProtocol()) {
                // Before any visitor byte: the service reads who the visitor is first.
                local.write(ProxyProtocolHeader.v2(local.alloc(), open.source(), open.target()), local.voidPromise());
            }
            if (proxy.localTls()) {
                // After the PROXY header, which precedes TLS (as nginx's "ssl proxy_protocol" expects it).
                local.flush();
                SslHandler tls = LocalTls.handler(local, proxy);
                local.pipeline().addFirst(LocalTls.NAME, tls);
                // Reachable means TLS was agreed: a service that does not speak it is reported, not just dropped.
                tls.handshakeFuture().addListener(handshake -> {
                    if (handshake.isSuccess()) {
                        reachable(proxy);
                    } else {
                        unreachable(proxy, proxy.localHost() + ":" + proxy.localPort() + ": TLS handshake failed ("
                                + handshake.cause().getMessage() + "); does the service speak TLS (backendTls)?");
                    }
                });
            }
            StreamRelay.start(local, stream, RelayListener.NONE, early);
            local.flush();
            stream.flush();
        });
    }

    private void reachable(ProxySpec proxy) {
        if (state.reportLocal(proxy.id(), ControlMessage.ProxyStatus.LOCAL_REACHABLE, null)) {
            log.debug("local service reachable proxy={}", proxy.name());
        }
    }

    /** Reported to the server once per change (the operator sees it as the proxy's localError), logged each time. */
    private void unreachable(ProxySpec proxy, String problem) {
        if (state.reportLocal(proxy.id(), ControlMessage.ProxyStatus.LOCAL_UNREACHABLE, problem)) {
            log.warn("local service unreachable proxy={} {}", proxy.name(), problem);
        } else {
            log.debug("local service still unreachable proxy={} {}", proxy.name(), problem);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof Http2ResetFrame) {
            if (dial != null) {
                dial.channel().close();
            }
            // Reading is manual here: a reset stream whose queued DATA nobody reads would never close by itself.
            ctx.close();
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        drainEarly();
        if (dial != null && !dial.isDone()) {
            dial.channel().close();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("stream failed before relaying: {}", cause.toString());
        drainEarly();
        ctx.close();
    }

    /** Until the relay takes over, errors on a local connection (e.g. reset while connecting) just close it. */
    @ChannelHandler.Sharable
    static final class DialErrors extends ChannelInboundHandlerAdapter {
        static final DialErrors INSTANCE = new DialErrors();

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("local connection failed before relaying: {}", cause.toString());
            ctx.close();
        }
    }

    /**
     * Answers the stream with a refusal status and closes it once that is written. Nothing reads this stream any
     * more, and a stream channel with unread DATA queued is never closed by Netty, not even when the session ends.
     */
    private static void refuse(Channel stream, String status) {
        if (stream.isActive()) {
            stream.writeAndFlush(new DefaultHttp2HeadersFrame(StreamHeaders.response(status), true))
                    .addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void drainEarly() {
        Object frame;
        while ((frame = early.poll()) != null) {
            ReferenceCountUtil.release(frame);
        }
    }
}
