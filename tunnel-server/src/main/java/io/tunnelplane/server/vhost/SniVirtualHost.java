package io.tunnelplane.server.vhost;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslContext;
import io.tunnelplane.protocol.mux.RelayListener;
import io.tunnelplane.server.admission.RoutingPeek;

/**
 * The first handler of a visitor connection on the shared HTTPS port: reads the TLS ClientHello, routes by its
 * server name and hands the connection, hello included, to the proxy's session: the local service's own
 * certificate is what the visitor sees. A proxy with {@code tlsMode: terminate} has its TLS ended here instead,
 * with the certificate the server holds for the name, and is then served as HTTP (single sign-on included). No
 * name, an unknown one or garbage: closed.
 */
final class SniVirtualHost extends RoutingPeek {
    static final String NAME = "https-vhost";
    static final int MAX_HELLO = 16 * 1024 + 5;

    private final VirtualHostServer server;

    SniVirtualHost(VirtualHostServer server) {
        this.server = server;
    }

    @Override
    protected boolean route(ChannelHandlerContext ctx, CompositeByteBuf read) {
        String name = ClientHelloSni.serverName(read);
        if (name.equals(ClientHelloSni.NEED_MORE) && read.readableBytes() < MAX_HELLO) {
            return false;
        }
        if (name.startsWith("\0")) {
            server.refuse(ctx.channel(), "https", name.equals(ClientHelloSni.NO_NAME) ? "no_server_name" : "not_tls");
            return true;
        }
        String host = VirtualHosts.normalize(name);
        VirtualHosts.Route route = server.hosts().find("https", host, "/").orElse(null);
        if (route == null) {
            server.noRoute(ctx.channel(), "https", host);
            return true;
        }
        String refused = server.refusal(ctx.channel(), route);
        if (refused != null) {
            server.reset(ctx.channel(), "https", refused);
            return true;
        }
        if (server.siteTls().terminates(route.proxy().id())) {
            SslContext tls = server.tlsFor(host);
            if (tls == null) {
                server.refuse(ctx.channel(), "https", "no_certificate"); // ordered now; the visitor may retry
                return true;
            }
            // TLS ends here: the hello goes into a server-side TLS handler, the requests it carries to HTTP routing.
            ByteBuf hello = takeRead();
            ctx.pipeline().addAfter(NAME, HttpVirtualHost.NAME, new HttpVirtualHost(server, "https"));
            ctx.pipeline().replace(this, "tls", tls.newHandler(ctx.alloc()));
            ctx.pipeline().fireChannelRead(hello);
            ctx.pipeline().fireChannelReadComplete();
            return true;
        }
        ByteBuf bytes = takeRead();
        ctx.pipeline().remove(this);
        server.handOff(ctx.channel(), route, bytes, RelayListener.NONE,
                () -> server.refuse(ctx.channel(), "https", "at_limit"));
        return true;
    }
}
