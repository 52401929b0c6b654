package io.tunnelplane.protocol.session;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.tunnelplane.protocol.keepalive.InboundActivityHandler;
import io.tunnelplane.protocol.keepalive.KeepaliveHandler;
import io.tunnelplane.protocol.keepalive.KeepaliveListener;
import io.tunnelplane.protocol.keepalive.KeepaliveMonitor;
import io.tunnelplane.protocol.keepalive.KeepaliveRole;
import io.tunnelplane.protocol.mux.GoAwayListener;
import io.tunnelplane.protocol.mux.MuxPipeline;
import io.tunnelplane.protocol.mux.MuxSettings;

/**
 * The session connection's pipeline, the same at both ends, and the names of its handlers. Before the login:
 * {@value #TLS}, {@value #HANDSHAKE_DECODER}, {@value #LOGIN}. Once it succeeded, from the socket inwards:
 * {@value #INBOUND_ACTIVITY} (first, so every byte read is proof of life), {@value #FLUSH_CONSOLIDATION} (on the
 * socket side of TLS), {@value #TLS}, the HTTP/2 codec and multiplexer, {@value #KEEPALIVE} (after the codec,
 * whose PINGs never wait behind flow-controlled DATA), {@value #SESSION}.
 */
public final class SessionPipeline {
    public static final String TLS = "tls";
    public static final String HANDSHAKE_DECODER = "handshake-decoder";
    public static final String LOGIN = "login";
    public static final String INBOUND_ACTIVITY = InboundActivityHandler.NAME;
    public static final String FLUSH_CONSOLIDATION = "flush-consolidation";
    public static final String KEEPALIVE = KeepaliveHandler.NAME;
    public static final String SESSION = "session";

    /** Flushes coalesced while the session reads; see {@link #install}. */
    private static final int FLUSHES_PER_READ = 64;

    private SessionPipeline() {
    }

    /**
     * The server's end: HTTP/2 client (it opens a stream per visitor), keepalive lead. Replaces the login handlers.
     */
    public static void installServerEnd(Channel channel, KeepaliveMonitor monitor, KeepaliveListener keepalive,
            MuxSettings mux, GoAwayListener goAways, ChannelHandler session) {
        requireRole(monitor, KeepaliveRole.LEAD);
        install(channel, monitor, keepalive, session,
                () -> MuxPipeline.installServerEnd(channel, mux, monitor::lastRttNanos, goAways, LOGIN));
    }

    /** The agent's end: HTTP/2 server accepting the visitor streams, keepalive follower. Replaces the login handlers. */
    public static void installAgentEnd(Channel channel, KeepaliveMonitor monitor, KeepaliveListener keepalive,
            MuxSettings mux, ChannelHandler streamInitializer, GoAwayListener goAways, ChannelHandler session) {
        requireRole(monitor, KeepaliveRole.FOLLOW);
        install(channel, monitor, keepalive, session,
                () -> MuxPipeline.installAgentEnd(channel, mux, monitor::lastRttNanos, streamInitializer, goAways,
                        LOGIN));
    }

    private static void install(Channel channel, KeepaliveMonitor monitor, KeepaliveListener keepalive,
            ChannelHandler session, Runnable installMux) {
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.addFirst(INBOUND_ACTIVITY, new InboundActivityHandler(monitor));
        // Many streams flush after each of their reads: coalesce those into few socket writes while the session
        // itself is reading, but flush at once otherwise; deferring those too cost request/response traffic a
        // 5x worse p99 (docs/benchmarks.md).
        pipeline.addAfter(INBOUND_ACTIVITY, FLUSH_CONSOLIDATION, new FlushConsolidationHandler(FLUSHES_PER_READ, false));
        installMux.run();
        pipeline.addAfter(MuxPipeline.MULTIPLEX, KEEPALIVE, new KeepaliveHandler(monitor, keepalive));
        pipeline.addLast(SESSION, session);
        pipeline.remove(LOGIN);
        pipeline.remove(HANDSHAKE_DECODER);
    }

    private static void requireRole(KeepaliveMonitor monitor, KeepaliveRole role) {
        if (monitor.role() != role) {
            throw new IllegalArgumentException("this end's keepalive role is " + role + ", not " + monitor.role());
        }
    }
}
