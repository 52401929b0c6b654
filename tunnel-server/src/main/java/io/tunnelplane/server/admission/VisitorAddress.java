package io.tunnelplane.server.admission;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Whom a visitor connection serves: the address a trusted load balancer named in its PROXY protocol header, else
 * the connection's own peer. Every rule, log line and forwarded header uses this, never the socket's peer directly.
 */
public final class VisitorAddress {
    static final AttributeKey<InetSocketAddress> FORWARDED = AttributeKey.valueOf("tunnel.forwarded-visitor");

    private VisitorAddress() {
    }

    public static SocketAddress of(Channel visitor) {
        InetSocketAddress forwarded = visitor.attr(FORWARDED).get();
        return forwarded != null ? forwarded : visitor.remoteAddress();
    }
}
