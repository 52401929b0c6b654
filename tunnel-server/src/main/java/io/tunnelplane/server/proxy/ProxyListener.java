package io.tunnelplane.server.proxy;

import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;
import io.tunnelplane.protocol.control.ProxySpec;

/** A bound public port of one proxy; closing it stops new connections while established ones keep relaying. */
public final class ProxyListener {
    private final ProxySpec spec;
    private final Channel serverChannel;

    ProxyListener(ProxySpec spec, Channel serverChannel) {
        this.spec = spec;
        this.serverChannel = serverChannel;
    }

    public ProxySpec spec() {
        return spec;
    }

    public boolean listening() {
        return serverChannel.isActive();
    }

    public Future<Void> close() {
        return serverChannel.close();
    }
}
