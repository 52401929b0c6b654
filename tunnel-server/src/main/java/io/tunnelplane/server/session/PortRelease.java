package io.tunnelplane.server.session;

import io.netty.channel.EventLoop;
import java.util.concurrent.TimeUnit;

/**
 * With the NIO transport, closing a listening channel completes before the operating system releases the port:
 * the JDK closes the socket only when the selector next processes the cancelled key. Work that needs the port to
 * be free (binding it again for a replacing session, telling the API a proxy is closed) therefore runs after one
 * more pass of the event loop's selector, which a short scheduled task guarantees.
 */
final class PortRelease {
    private PortRelease() {
    }

    static void afterRelease(EventLoop loop, Runnable action) {
        loop.schedule(action, 1, TimeUnit.MILLISECONDS);
    }
}
