package io.tunnelplane.server.session;

import io.netty.util.concurrent.Future;
import io.tunnelplane.protocol.control.ProxySpec;

/**
 * What a session group needs from the public side: a listener for one of its proxies (a bound port, or routes on a
 * shared virtual-host port). Implemented by the proxy package, which depends on sessions and never the reverse.
 */
public interface ProxyPorts {
    /**
     * Starts receiving visitors of {@code proxy} for {@code group}; the future completes on the group's event loop
     * with the listener (already registered with the group), or fails with a message an operator can act on.
     */
    Future<ProxyListener> open(SessionGroup group, ProxySpec proxy);
}
