package io.tunnelplane.server.session;

import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;
import io.tunnelplane.protocol.control.ProxySpec;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Where one proxy of a session group receives visitors: its own bound port (TCP, UDP), or its routes on a shared
 * virtual-host port. Closing it stops new visitors while established connections keep relaying. A UDP port is
 * anchored on one session of the group (its flows are streams of that session): when that session leaves, the
 * group opens the port again on a sibling.
 */
public final class ProxyListener {
    private final ProxySpec spec;
    private final BooleanSupplier listening;
    private final Supplier<Future<Void>> close;
    private final AgentSession anchor;

    private ProxyListener(ProxySpec spec, BooleanSupplier listening, Supplier<Future<Void>> close,
            AgentSession anchor) {
        this.spec = spec;
        this.listening = listening;
        this.close = close;
        this.anchor = anchor;
    }

    /** A port of the group's own (TCP): visitors are spread over the group's sessions. */
    public static ProxyListener port(ProxySpec spec, Channel serverChannel) {
        return new ProxyListener(spec, serverChannel::isActive, serverChannel::close, null);
    }

    /** A port whose visitors all ride on {@code anchor} (UDP flows). */
    public static ProxyListener anchored(ProxySpec spec, Channel serverChannel, AgentSession anchor) {
        return new ProxyListener(spec, serverChannel::isActive, serverChannel::close, anchor);
    }

    /** A virtual-host proxy's routes on a shared port. */
    public static ProxyListener routes(ProxySpec spec, BooleanSupplier live, Supplier<Future<Void>> unregister) {
        return new ProxyListener(spec, live, unregister, null);
    }

    public ProxySpec spec() {
        return spec;
    }

    /** The session this listener's visitors all ride on, or null when they are spread over the group. */
    AgentSession anchor() {
        return anchor;
    }

    public boolean listening() {
        return listening.getAsBoolean();
    }

    public Future<Void> close() {
        return close.get();
    }
}
