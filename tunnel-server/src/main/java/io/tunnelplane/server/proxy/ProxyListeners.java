package io.tunnelplane.server.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.tunnelplane.protocol.control.ProxySpec;
import io.tunnelplane.protocol.mux.RelayListener;
import io.tunnelplane.protocol.mux.StreamHeaders;
import io.tunnelplane.protocol.mux.StreamReadBatching;
import io.tunnelplane.protocol.mux.StreamRelay;
import io.tunnelplane.protocol.transport.Transport;
import io.tunnelplane.server.accesslog.AccessLog;
import io.tunnelplane.server.admission.BandwidthLimits;
import io.tunnelplane.server.admission.ConnectionLimit;
import io.tunnelplane.server.admission.LogThrottle;
import io.tunnelplane.server.admission.MonthlyQuotas;
import io.tunnelplane.server.admission.ProxyHeaderReader;
import io.tunnelplane.server.admission.TrustedProxies;
import io.tunnelplane.server.admission.VisitorAccess;
import io.tunnelplane.server.admission.VisitorAddress;
import io.tunnelplane.server.config.TunnelServerProperties;
import io.tunnelplane.server.metrics.TunnelMetrics;
import io.tunnelplane.server.session.AgentSession;
import io.tunnelplane.server.session.ProxyListener;
import io.tunnelplane.server.session.ProxyPorts;
import io.tunnelplane.server.session.SessionGroup;
import io.tunnelplane.server.vhost.VirtualHosts;
import jakarta.annotation.PreDestroy;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Opens the public ports of a client's proxies for its session group and hands each visitor to the best session
 * of the group. A TCP port accepts on a loop of its own and registers the visitor on the group's home loop; it then
 * moves to its session's loop,
 * so the relay between a visitor and its stream needs no locks and no thread hop. Each visitor opens one stream
 * whose HEADERS name the proxy: the agent dials without a round trip.
 */
@Component
public class ProxyListeners implements ProxyPorts {
    private static final Logger log = LoggerFactory.getLogger("io.tunnelplane.proxy");

    private final Transport transport = Transport.best();
    private final String bindAddress;
    private final TunnelMetrics metrics;

    private final ConnectionLimit limit;
    private final TunnelServerProperties.Limits limits;
    private static final String SOURCE_DENIED = "source_denied";
    public static final String QUOTA_EXCEEDED = "quota_exceeded";
    private static final RecvByteBufAllocator PACED_READS = new FixedRecvByteBufAllocator(16 * 1024)
            .maxMessagesPerRead(1);
    private final VisitorAccess access;
    private final BandwidthLimits bandwidth;
    private final AccessLog accessLog;
    private final TrustedProxies trustedProxies;
    private final MonthlyQuotas quotas;
    private final LogThrottle refusalLog = new LogThrottle(Duration.ofMinutes(1), 10_000, System::nanoTime);

    private final VirtualHosts virtualHosts;
    /** Every TCP proxy port accepts here; visitors are then registered on their group's loop (see Transport). */
    private final EventLoop acceptLoop;

    public ProxyListeners(TunnelServerProperties properties, TunnelMetrics metrics, ConnectionLimit limit,
            VirtualHosts virtualHosts, VisitorAccess access, BandwidthLimits bandwidth, AccessLog accessLog,
            TrustedProxies trustedProxies, MonthlyQuotas quotas) {
        this.quotas = quotas;
        this.trustedProxies = trustedProxies;
        this.accessLog = accessLog;
        this.access = access;
        this.bandwidth = bandwidth;
        this.virtualHosts = virtualHosts;
        this.acceptLoop = transport.newGroup(1, "proxy-accept").next();
        this.bindAddress = properties.proxyBindAddress();
        this.metrics = metrics;
        this.limit = limit;
        this.limits = properties.limits();
    }

    /** Closes whatever port is still open (the engine closes them with their sessions first). */
    @PreDestroy
    void stop() {
        acceptLoop.parent().shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /**
     * Starts receiving visitors of {@code proxy} for {@code group}: a TCP port bound on the group's loop, a UDP
     * port anchored on one live session (its flows ride on it), or virtual-host routes. The future fails with a
     * message an operator can act on (the port is taken, no session is up); the failure is also logged.
     */
    @Override
    public Future<ProxyListener> open(SessionGroup group, ProxySpec proxy) {
        if (proxy.isVirtualHost()) {
            return virtualHosts.register(group, proxy);
        }
        if (ProxySpec.UDP.equals(proxy.type())) {
            AgentSession anchor = group.pick();
            if (anchor == null) {
                return group.eventLoop().newFailedFuture(new IllegalStateException("no session of the agent is up"));
            }
            return UdpProxyListener.open(group, anchor, proxy, bindAddress, metrics,
                    sender -> refusal(group, proxy, sender) == null, bandwidth.pacer(group.clientId(), proxy.id()),
                    accessLog);
        }
        ChannelFuture bind = transport.visitorListener(acceptLoop, group.eventLoop())
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel visitor) {
                        if (!limit.admit(visitor)) {
                            return;
                        }
                        if (trustedProxies.trusts(visitor.remoteAddress())) {
                            // A balancer's connection: the visitor it serves is named in its PROXY header first.
                            visitor.pipeline().addFirst(ProxyHeaderReader.NAME, new ProxyHeaderReader(true,
                                    (ch, rest) -> admitVisitor(group, proxy, ch, rest),
                                    reason -> countRefusal(group.clientId(), proxy, visitor.remoteAddress(), reason)));
                            return;
                        }
                        admitVisitor(group, proxy, visitor, null);
                    }
                })
                .bind(new InetSocketAddress(bindAddress, proxy.remotePort()));
        return listening(bind, group, proxy, null);
    }

    /**
     * A port visitor, by the address it is known by: refused by the source rules before any stream (it costs the
     * agent nothing), else handed to a session; {@code rest} (bytes a balancer sent after its PROXY header) reach
     * the relay first.
     */
    private void admitVisitor(SessionGroup group, ProxySpec proxy, Channel visitor, ByteBuf rest) {
        if (refusal(group, proxy, VisitorAddress.of(visitor)) != null) {
            ReferenceCountUtil.release(rest);
            reset(visitor);
            return;
        }
        Runnable replay = rest == null ? null : () -> {
            if (rest.isReadable()) {
                visitor.pipeline().fireChannelRead(rest);
                visitor.pipeline().fireChannelReadComplete();
            } else {
                rest.release();
            }
        };
        handOff(group, proxy, visitor, replay, RelayListener.NONE, () -> {
            ReferenceCountUtil.release(rest);
            reset(visitor);
        });
    }

    /**
     * The listener once {@code bind} completes: registered with the group and logged, or a failure that says why
     * (the port is taken), logged too. For TCP and UDP ports alike; {@code anchor} is the session a UDP port's
     * flows ride on.
     */
    static Future<ProxyListener> listening(ChannelFuture bind, SessionGroup group, ProxySpec proxy,
            AgentSession anchor) {
        Promise<ProxyListener> result = group.eventLoop().newPromise();
        // A UDP port binds on its anchor's loop: settle on the group's loop, where its listeners are kept.
        bind.addListener((ChannelFuture f) -> group.eventLoop().execute(() -> {
            if (!f.isSuccess()) {
                String reason = proxy.type() + " port " + proxy.remotePort() + " cannot be opened on the server: "
                        + f.cause().getMessage();
                log.warn("proxy not listening client={} proxy={}: {}", group.clientId(), proxy.name(), reason);
                result.setFailure(new IllegalStateException(reason, f.cause()));
                return;
            }
            ProxyListener listener = anchor == null ? ProxyListener.port(proxy, f.channel())
                    : ProxyListener.anchored(proxy, f.channel(), anchor);
            if (!group.adopt(proxy, listener)) {
                f.channel().close();
                result.setFailure(new IllegalStateException("the agent's sessions ended while the port was opening"));
                return;
            }
            log.info("proxy listening client={} proxy={} {}_port={} local={}:{}", group.clientId(), proxy.name(),
                    proxy.type(), proxy.remotePort(), proxy.localHost(), proxy.localPort());
            result.setSuccess(listener);
        }));
        return result;
    }

    /**
     * Which limit a new visitor connection would break, or null. The proxy's count is shared by the sessions of
     * the group, each on its own loop: it is taken here atomically, so no two visitors pass on the last slot.
     */
    private String overLimit(AgentSession session, AtomicInteger proxyConnections) {
        if (limits.maxStreamsPerSession() > 0 && session.activeStreams() >= limits.maxStreamsPerSession()) {
            return "max_streams_per_session";
        }
        int max = limits.maxConnectionsPerProxy();
        int now;
        do {
            now = proxyConnections.get();
            if (max > 0 && now >= max) {
                return "max_connections_per_proxy";
            }
        } while (!proxyConnections.compareAndSet(now, now + 1));
        return null;
    }

    /** Resets a refused port visitor at once: a clear signal, no hang. */
    private static void reset(Channel visitor) {
        visitor.config().setOption(ChannelOption.SO_LINGER, 0);
        visitor.close();
    }

    /**
     * Why a new visitor from {@code source} may not reach {@code proxy}, or null when it may: its source rules
     * ({@code source_denied}) or its client's used-up monthly quota ({@code quota_exceeded}). A refusal is counted
     * in {@code tunnel_connections_refused_total{reason}}, written to the access log and logged like the limits'.
     */
    public String refusal(SessionGroup group, ProxySpec proxy, SocketAddress source) {
        String reason = !access.admits(group.clientId(), proxy.id(), source) ? SOURCE_DENIED
                : quotas.exceeded(group.clientId()) ? QUOTA_EXCEEDED : null;
        if (reason != null) {
            countRefusal(group.clientId(), proxy, source, reason);
        }
        return reason;
    }

    /**
     * Counts a refused visitor, writes it to the access log (a UDP port's refusals, one per datagram, only count)
     * and logs it at most once a minute per reason, client and proxy.
     */
    private void countRefusal(String client, ProxySpec proxy, SocketAddress source, String reason) {
        metrics.connectionRefused(reason);
        if (!ProxySpec.UDP.equals(proxy.type())) {
            accessLog.record(AccessLog.refused(client, proxy, source, reason));
        }
        long suppressed = refusalLog.admit(reason + "/" + client + "/" + proxy.name());
        if (suppressed >= 0) {
            log.warn("visitor refused client={} proxy={} reason={} remote={} ({}; {} more since the last line)",
                    client, proxy.name(), reason, source, SOURCE_DENIED.equals(reason)
                            ? "the proxy's allowFrom/denyFrom, tunnel.server.access"
                            : QUOTA_EXCEEDED.equals(reason) ? "the client's monthlyQuota" : "tunnel.server.limits",
                    suppressed);
        }
    }

    @Scheduled(fixedDelay = 60_000)
    public void pruneRefusalLog() {
        refusalLog.prune();
    }

    /**
     * A new visitor of {@code proxy}, on its port's (or virtual host's) loop: goes to the group's best session
     * ({@link SessionGroup#pick()}), moves to that session's loop, and is relayed within the limits; {@code refused}
     * answers it in its protocol when no session is up or a limit refuses it.
     */
    public void handOff(SessionGroup group, ProxySpec proxy, Channel visitor, Runnable onStarted,
            RelayListener refusal, Runnable refused) {
        AgentSession session = group.pick();
        if (session == null) {
            refused.run();
            return;
        }
        VisitorMove.onto(visitor, session.eventLoop(), () -> admit(group, session, proxy, visitor, onStarted, refusal,
                refused), refused);
    }

    /**
     * On the session's loop: relays a new visitor of {@code proxy} within the session's and the proxy's limits, or
     * counts the refusal and lets {@code refused} answer it.
     */
    private void admit(SessionGroup group, AgentSession session, ProxySpec proxy, Channel visitor,
            Runnable onStarted, RelayListener refusal, Runnable refused) {
        AtomicInteger open = group.visitorConnections(proxy.id());
        String reason = overLimit(session, open);
        if (reason != null) {
            countRefusal(session.clientId(), proxy, VisitorAddress.of(visitor), reason);
            refused.run();
            return;
        }
        visitor.closeFuture().addListener(closed -> open.decrementAndGet());
        group.track(proxy.id(), visitor);
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
            log.debug("visitor {} of proxy {} closed unanswered: session {} ended before its stream opened",
                    VisitorAddress.of(visitor), proxy.name(), session.sessionId());
            visitor.close();
            return;
        }
        new Http2StreamChannelBootstrap(session.channel())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.RCVBUF_ALLOCATOR, StreamReadBatching.INSTANCE)
                .handler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel ch) {
                    }
                })
                .open()
                .addListener(opened -> {
                    if (!opened.isSuccess() || !visitor.isActive()) {
                        log.debug("visitor {} of proxy {} closed unanswered: {}", VisitorAddress.of(visitor),
                                proxy.name(), opened.isSuccess() ? "it left while its stream opened"
                                        : "no stream on session " + session.sessionId() + ": " + opened.cause());
                        visitor.close();
                        if (opened.isSuccess()) {
                            ((Channel) opened.getNow()).close();
                        }
                        return;
                    }
                    Http2StreamChannel stream = (Http2StreamChannel) opened.getNow();
                    stream.write(new DefaultHttp2HeadersFrame(StreamHeaders.proxy(new StreamHeaders.ProxyStream(
                            proxy.id(), StreamHeaders.ProxyStream.TCP, inet(VisitorAddress.of(visitor)),
                            inet(visitor.localAddress())))));
                    session.streamOpened();
                    metrics.streamOpened(proxy.name(), proxy.type());
                    BandwidthLimits.Pacer pacer = bandwidth.pacer(session.clientId(), proxy.id());
                    if (pacer.limited()) {
                        // Small reads, one per turn: a read is counted after it happened, so its size is the
                        // overshoot a limit allows (a default batch may pull a megabyte at once).
                        visitor.config().setRecvByteBufAllocator(PACED_READS);
                        stream.config().setRecvByteBufAllocator(PACED_READS);
                    }
                    ProxyTraffic traffic = new ProxyTraffic(session, proxy, metrics, refusal, pacer, accessLog,
                            inet(VisitorAddress.of(visitor)));
                    StreamRelay.start(visitor, stream, traffic);
                    if (onStarted != null) {
                        onStarted.run();
                    }
                    stream.flush();
                });
    }

    static InetSocketAddress inet(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? inet : null;
    }
}
