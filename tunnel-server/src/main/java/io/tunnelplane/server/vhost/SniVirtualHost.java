package io.tunnelplane.server.vhost;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.tunnelplane.protocol.mux.RelayListener;

/**
 * The first handler of a visitor connection on the shared HTTPS port: reads the TLS ClientHello, routes by its
 * server name and hands the connection, hello included, to the proxy's session. TLS is never terminated here:
 * the local service's own certificate is what the visitor sees. No name, an unknown one or garbage: closed.
 */
final class SniVirtualHost extends ChannelInboundHandlerAdapter {
    static final String NAME = "https-vhost";
    static final int MAX_HELLO = 16 * 1024 + 5;

    private final VirtualHostServer server;
    private CompositeByteBuf hello;
    private boolean decided;

    SniVirtualHost(VirtualHostServer server) {
        this.server = server;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        hello = ctx.alloc().compositeBuffer();
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
        hello.addComponent(true, (ByteBuf) msg);
        String name = ClientHelloSni.serverName(hello);
        if (name.equals(ClientHelloSni.NEED_MORE) && hello.readableBytes() < MAX_HELLO) {
            return;
        }
        decided = true;
        if (name.startsWith("\0")) {
            server.refuse(ctx.channel(), "https", name.equals(ClientHelloSni.NO_NAME) ? "no_server_name" : "not_tls");
            return;
        }
        String host = VirtualHosts.normalize(name);
        VirtualHosts.Route route = server.hosts().find("https", host, "/").orElse(null);
        if (route == null) {
            server.noRoute(ctx.channel(), "https", host);
            return;
        }
        ByteBuf bytes = hello;
        hello = null;
        ctx.pipeline().remove(this);
        server.handOff(ctx.channel(), route, bytes, RelayListener.NONE);
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
        if (hello != null) {
            hello.release();
            hello = null;
        }
    }
}
