package io.tunnelplane.server.vhost;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.tunnelplane.server.admission.VisitorAddress;
import java.net.InetSocketAddress;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Between the visitor's request decoder and the relay: has the site's gate admit every request (basic auth,
 * single sign-on, the identity headers), gives it the proxy headers ({@code X-Forwarded-For/-Proto/-Host}, and the
 * {@code Host} rewrite), encodes it back to bytes, and checks that a keep-alive connection stays on its proxy.
 * It stays until the local service agrees to a protocol upgrade (101, see {@link HttpVirtualHost}): a request that
 * merely asks for one (WebSocket, h2c) and gets a plain answer leaves the connection HTTP, and gated.
 */
final class HttpRequestForwarder extends ChannelInboundHandlerAdapter {
    static final String NAME = "http-forwarder";
    private static final Logger log = LoggerFactory.getLogger("io.tunnelplane.proxy");

    private final String hostRewrite;
    private final Predicate<HttpRequest> sameProxy;
    private final Gate gate;
    private final HttpResponseWatch responses;
    private final EmbeddedChannel encoder = new EmbeddedChannel(new HttpRequestEncoder());
    private boolean refused;
    /** The connection's first request was routed already: not asked again, as its route may be draining by now. */
    private boolean firstRequest = true;

    /** Decides each request (the site's {@link SiteGate}); answers the visitor itself when it says no. */
    interface Gate {
        boolean admit(String method, String target, HttpHeaders headers);

        /** Who the last admitted request came from, or null. */
        String user();
    }

    HttpRequestForwarder(String hostRewrite, Predicate<HttpRequest> sameProxy, Gate gate,
            HttpResponseWatch responses) {
        this.hostRewrite = hostRewrite;
        this.sameProxy = sameProxy;
        this.gate = gate;
        this.responses = responses;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!(msg instanceof HttpObject)) {
            ctx.fireChannelRead(msg); // raw bytes left over after an upgrade
            return;
        }
        if (msg instanceof HttpRequest request) {
            boolean routedAlready = firstRequest;
            firstRequest = false;
            if (request.decoderResult().isFailure() || !routedAlready && !sameProxy.test(request)) {
                // A request for another proxy on this connection: close, the client retries on a fresh one.
                log.debug("visitor {} closed at a request for {}{}: {}", VisitorAddress.of(ctx.channel()),
                        request.headers().get(HttpHeaderNames.HOST), request.uri(),
                        request.decoderResult().isFailure() ? "malformed" : "not this connection's proxy (or none)");
                ReferenceCountUtil.release(msg);
                refused = true; // the rest of that request, decoded from the same read, goes nowhere either
                ctx.close();
                return;
            }
            if (!gate.admit(request.method().name(), request.uri(), request.headers())) {
                // The gate's answer is the next response the visitor reads; nothing more of this connection goes on.
                ReferenceCountUtil.release(msg);
                refused = true;
                return;
            }
            responses.requestStarted(request, gate.user()); // before the headers change: the visitor's Host is logged
            addProxyHeaders(ctx, request);
        }
        boolean last = msg instanceof LastHttpContent;
        ByteBuf bytes = encode(ctx, (HttpObject) msg);
        if (bytes != null) {
            ctx.fireChannelRead(bytes);
        }
        if (last) {
            responses.requestSent();
        }
    }

    /** Encodes {@code request} after adding the proxy headers; also used for the first request of a connection. */
    ByteBuf encode(ChannelHandlerContext ctx, HttpObject msg) {
        encoder.writeOutbound(msg);
        CompositeByteBuf out = ctx.alloc().compositeBuffer();
        ByteBuf part;
        while ((part = encoder.readOutbound()) != null) {
            out.addComponent(true, part);
        }
        if (!out.isReadable()) {
            out.release();
            return null;
        }
        return out;
    }

    void addProxyHeaders(ChannelHandlerContext ctx, HttpRequest request) {
        String client = VisitorAddress.of(ctx.channel()) instanceof InetSocketAddress address
                ? address.getAddress().getHostAddress() : "unknown";
        String forwarded = request.headers().get("X-Forwarded-For");
        request.headers().set("X-Forwarded-For", forwarded == null ? client : forwarded + ", " + client);
        if (ctx.pipeline().get(SslHandler.class) != null) {
            request.headers().set("X-Forwarded-Proto", "https"); // TLS ended here: the service sees plain HTTP
        } else if (!request.headers().contains("X-Forwarded-Proto")) {
            request.headers().set("X-Forwarded-Proto", "http");
        }
        String host = request.headers().get(HttpHeaderNames.HOST);
        if (host != null && !request.headers().contains("X-Forwarded-Host")) {
            request.headers().set("X-Forwarded-Host", host);
        }
        if (!hostRewrite.isEmpty()) {
            request.headers().set(HttpHeaderNames.HOST, hostRewrite);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        encoder.finishAndReleaseAll();
    }
}
