package io.tunnelplane.server.proxy;

import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;
import io.tunnelplane.protocol.control.ProxySpec;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Where one proxy receives visitors: its own bound port (TCP), or its routes on a shared virtual-host port.
 * Closing it stops new visitors while established connections keep relaying.
 */
public final class ProxyListener {
    private final ProxySpec spec;
    private final BooleanSupplier listening;
    private final Supplier<Future<Void>> close;

    ProxyListener(ProxySpec spec, BooleanSupplier listening, Supplier<Future<Void>> close) {
        this.spec = spec;
        this.listening = listening;
        this.close = close;
    }

    static ProxyListener port(ProxySpec spec, Channel serverChannel) {
        return new ProxyListener(spec, serverChannel::isActive, serverChannel::close);
    }

    /** A virtual-host proxy's routes on a shared port. */
    public static ProxyListener routes(ProxySpec spec, BooleanSupplier live, Supplier<Future<Void>> unregister) {
        return new ProxyListener(spec, live, unregister);
    }

    public ProxySpec spec() {
        return spec;
    }

    public boolean listening() {
        return listening.getAsBoolean();
    }

    public Future<Void> close() {
        return close.get();
    }
}
