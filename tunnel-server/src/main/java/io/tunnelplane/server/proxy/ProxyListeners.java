package io.tunnelplane.server.proxy;

import io.micrometer.core.instrument.DistributionSummary;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.tunnelplane.protocol.control.ProxySpec;
import io.tunnelplane.protocol.mux.RelayListener;
import io.tunnelplane.protocol.mux.StreamHeaders;
import io.tunnelplane.protocol.mux.StreamRelay;
import io.tunnelplane.protocol.transport.Transport;
import io.tunnelplane.server.config.TunnelServerProperties;
import io.tunnelplane.server.engine.ConnectionLimit;
import io.tunnelplane.server.engine.LogThrottle;
import io.tunnelplane.server.metrics.TunnelMetrics;
import io.tunnelplane.server.session.AgentSession;
import io.tunnelplane.server.vhost.VirtualHosts;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Opens the public port of a TCP proxy for a session. The listener and every connection it accepts live on the
 * session's own event loop, so the relay between a visitor and its stream needs no locks and no thread hop.
 * Each accepted connection opens one stream whose HEADERS name the proxy: the agent dials without a round trip.
 */
@Component
public class ProxyListeners {
    private static final Logger log = LoggerFactory.getLogger("io.tunnelplane.proxy");

    private final Transport transport = Transport.best();
    private final String bindAddress;
    private final TunnelMetrics metrics;

    private final ConnectionLimit limit;
    private final TunnelServerProperties.Limits limits;
    private final LogThrottle refusalLog = new LogThrottle(Duration.ofMinutes(1), 10_000, System::nanoTime);

    private final VirtualHosts virtualHosts;

    public ProxyListeners(TunnelServerProperties properties, TunnelMetrics metrics, ConnectionLimit limit,
            VirtualHosts virtualHosts) {
        this.virtualHosts = virtualHosts;
        this.bindAddress = properties.proxyBindAddress();
        this.metrics = metrics;
        this.limit = limit;
        this.limits = properties.limits();
    }

    /**
     * Binds the proxy's public port on the session's event loop. The future fails with a message an operator can
     * act on (the port is taken, the session ended); the failure is also logged.
     */
    public Future<ProxyListener> open(AgentSession session, ProxySpec proxy) {
        if (proxy.isVirtualHost()) {
            return virtualHosts.register(session, proxy);
        }
        if (ProxySpec.UDP.equals(proxy.type())) {
            return UdpProxyListener.open(session, proxy, bindAddress, metrics);
        }
        ChannelFuture bind = transport.visitorListener(session.eventLoop())
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel visitor) {
                        if (limit.admit(visitor)) {
                            admit(session, proxy, visitor, null, RelayListener.NONE, () -> reset(visitor));
                        }
                    }
                })
                .bind(new InetSocketAddress(bindAddress, proxy.remotePort()));
        return listening(bind, session, proxy);
    }

    /**
     * The listener once {@code bind} completes: registered with the session and logged, or a failure that says why
     * (the port is taken, the session ended meanwhile), logged too. For TCP and UDP ports alike.
     */
    static Future<ProxyListener> listening(ChannelFuture bind, AgentSession session, ProxySpec proxy) {
        Promise<ProxyListener> result = session.eventLoop().newPromise();
        bind.addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                String reason = proxy.type() + " port " + proxy.remotePort() + " cannot be opened on the server: "
                        + f.cause().getMessage();
                log.warn("proxy not listening client={} proxy={}: {}", session.clientId(), proxy.name(), reason);
                result.setFailure(new IllegalStateException(reason, f.cause()));
                return;
            }
            if (session.cause() != null || !session.channel().isActive()) {
                f.channel().close(); // the session ended while we were binding
                result.setFailure(new IllegalStateException("the agent's session ended"));
                return;
            }
            ProxyListener listener = ProxyListener.port(proxy, f.channel());
            session.addListener(proxy, listener);
            log.info("proxy listening client={} proxy={} {}_port={} local={}:{}", session.clientId(), proxy.name(),
                    proxy.type(), proxy.remotePort(), proxy.localHost(), proxy.localPort());
            result.setSuccess(listener);
        });
        return result;
    }

    /** Which limit a new visitor connection would break, or null. */
    private String overLimit(AgentSession session, int proxyConnections) {
        if (limits.maxStreamsPerSession() > 0 && session.activeStreams() >= limits.maxStreamsPerSession()) {
            return "max_streams_per_session";
        }
        if (limits.maxConnectionsPerProxy() > 0 && proxyConnections >= limits.maxConnectionsPerProxy()) {
            return "max_connections_per_proxy";
        }
        return null;
    }

    /** Resets a refused port visitor at once: a clear signal, no hang. */
    private static void reset(Channel visitor) {
        visitor.config().setOption(ChannelOption.SO_LINGER, 0);
        visitor.close();
    }

    /** Counts a refused visitor and logs it at most once a minute per reason, client and proxy. */
    private void countRefusal(AgentSession session, ProxySpec proxy, Channel visitor, String reason) {
        metrics.connectionRefused(reason);
        long suppressed = refusalLog.admit(reason + "/" + session.clientId() + "/" + proxy.name());
        if (suppressed >= 0) {
            log.warn("visitor refused client={} proxy={} reason={} remote={} (tunnel.server.limits; {} more since the "
                    + "last line)", session.clientId(), proxy.name(), reason, visitor.remoteAddress(), suppressed);
        }
    }

    @Scheduled(fixedDelay = 60_000)
    public void pruneRefusalLog() {
        refusalLog.prune();
    }

    /**
     * A visitor a virtual host routed to {@code proxy}, from any thread: hops to the session's loop, applies the
     * limits a port applies, and relays; {@code overLimit} answers a visitor refused by a limit in its protocol.
     */
    public void relayVirtualHost(AgentSession session, ProxySpec proxy, Channel visitor, Runnable onStarted,
            RelayListener refusal, Runnable overLimit) {
        session.eventLoop().execute(() -> admit(session, proxy, visitor, onStarted, refusal, overLimit));
    }

    /**
     * On the session's loop: relays a new visitor of {@code proxy} within the session's and the proxy's limits, or
     * counts the refusal and lets {@code refused} answer it.
     */
    private void admit(AgentSession session, ProxySpec proxy, Channel visitor, Runnable onStarted,
            RelayListener refusal, Runnable refused) {
        int[] open = session.visitorConnections(proxy.id());
        String reason = overLimit(session, open[0]);
        if (reason != null) {
            countRefusal(session, proxy, visitor, reason);
            refused.run();
            return;
        }
        open[0]++;
        visitor.closeFuture().addListener(closed -> open[0]--);
        relay(session, proxy, visitor, onStarted, refusal);
    }

    /**
     * Opens a stream to the agent for {@code visitor} and relays between them. {@code onStarted}, when given, runs
     * once the relay is in place (a virtual host replays there the bytes it read to route); {@code refusal} may
     * answer the visitor itself when the agent cannot reach the local service. Call on the session's loop, with
     * the visitor registered on it.
     */
    private void relay(AgentSession session, ProxySpec proxy, Channel visitor, Runnable onStarted,
            RelayListener refusal) {
        if (!session.channel().isActive()) {
            visitor.close();
            return;
        }
        new Http2StreamChannelBootstrap(session.channel())
                .option(ChannelOption.AUTO_READ, false)
                .handler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel ch) {
                    }
                })
                .open()
                .addListener(opened -> {
                    if (!opened.isSuccess() || !visitor.isActive()) {
                        visitor.close();
                        return;
                    }
                    Http2StreamChannel stream = (Http2StreamChannel) opened.getNow();
                    stream.write(new DefaultHttp2HeadersFrame(StreamHeaders.proxy(new StreamHeaders.ProxyStream(
                            proxy.id(), StreamHeaders.ProxyStream.TCP, inet(visitor.remoteAddress()),
                            inet(visitor.localAddress())))));
                    session.streamOpened();
                    metrics.streamOpened(proxy.name(), proxy.type());
                    ProxyTraffic traffic = new ProxyTraffic(session, proxy, metrics, refusal);
                    StreamRelay.start(visitor, stream, traffic);
                    if (onStarted != null) {
                        onStarted.run();
                    }
                    stream.flush();
                });
    }

    private static InetSocketAddress inet(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? inet : null;
    }

    /** Counts one relayed connection's bytes into the session and the proxy's metrics. */
    private static final class ProxyTraffic implements RelayListener {
        private final AgentSession session;
        private final DistributionSummary in;
        private final DistributionSummary out;
        private final TunnelMetrics metrics;
        private final RelayListener refusal;
        private long bytesIn;
        private long bytesOut;

        ProxyTraffic(AgentSession session, ProxySpec proxy, TunnelMetrics metrics, RelayListener refusal) {
            this.refusal = refusal;
            this.session = session;
            this.metrics = metrics;
            this.in = metrics.proxyBytes(proxy.name(), proxy.type(), "in");
            this.out = metrics.proxyBytes(proxy.name(), proxy.type(), "out");
        }

        @Override
        public void fromTcp(int bytes) {
            bytesIn += bytes;
            in.record(bytes);
        }

        @Override
        public void fromStream(int bytes) {
            bytesOut += bytes;
            out.record(bytes);
        }

        @Override
        public boolean answerRefusal(String status) {
            return refusal.answerRefusal(status);
        }

        @Override
        public void closed(boolean aborted) {
            session.streamClosed(bytesIn, bytesOut);
            metrics.streamClosed();
        }
    }
}
