package io.tunnelplane.server.vhost;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.tunnelplane.protocol.mux.RelayListener;

/**
 * The first handler of a visitor connection on the shared HTTP port: reads until the first request head is
 * complete, finds the proxy for its host and path, and hands the connection (with the bytes read so far) to that
 * proxy's session. Unknown hosts get 404, hosts whose agent is offline 502, a refused local service 502.
 */
final class HttpVirtualHost extends ChannelInboundHandlerAdapter {
    static final String DECODER = "http-decoder";
    static final String NAME = "http-vhost";

    private final VirtualHostServer server;
    private CompositeByteBuf head;
    private boolean decided;

    HttpVirtualHost(VirtualHostServer server) {
        this.server = server;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        head = ctx.alloc().compositeBuffer();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (decided) {
            ((ByteBuf) msg).release(); // read before routing finished; cannot happen with autoRead off
            return;
        }
        head.addComponent(true, (ByteBuf) msg);
        HttpRequestHead request;
        try {
            request = HttpRequestHead.parse(head);
        } catch (IllegalArgumentException malformed) {
            decided = true;
            server.page(ctx.channel(), 400, "Bad Request", malformed.getMessage());
            return;
        }
        if (request == null) {
            return; // channelReadComplete asks for more
        }
        decided = true;
        String host = VirtualHosts.normalize(request.host());
        VirtualHosts.Route route = server.hosts().find("http", host, request.path()).orElse(null);
        if (route == null) {
            server.noRoute(ctx.channel(), "http", host);
            return;
        }
        ByteBuf bytes = head;
        head = null;
        ctx.pipeline().addBefore(NAME, DECODER, new HttpRequestDecoder());
        ctx.pipeline().replace(this, HttpRequestForwarder.NAME, new HttpRequestForwarder(route.proxy().hostRewrite(),
                next -> server.hosts().find("http", VirtualHosts.normalize(hostOf(next)), pathOf(next))
                        .map(r -> r.proxy().id() == route.proxy().id()).orElse(false)));
        server.handOff(ctx.channel(), route, bytes, new RelayListener() {
            @Override
            public boolean answerRefusal(String status) {
                server.page(ctx.channel(), 502, "Bad Gateway", "The agent of this site could not reach its "
                        + "local service (proxy " + route.proxy().name() + ").");
                return true;
            }
        });
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!decided) {
            ctx.read();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (head != null) {
            head.release();
            head = null;
        }
    }

    private static String hostOf(HttpRequest request) {
        return request.headers().get("Host");
    }

    private static String pathOf(HttpRequest request) {
        String uri = request.uri();
        int query = uri.indexOf('?');
        return query < 0 ? uri : uri.substring(0, query);
    }
}
