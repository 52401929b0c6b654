package io.tunnelplane.server.vhost;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.EventExecutor;
import io.tunnelplane.server.engine.LifecyclePhases;
import io.tunnelplane.control.proxy.VirtualHostOwners;
import io.tunnelplane.protocol.mux.RelayListener;
import io.tunnelplane.protocol.transport.Transport;
import io.tunnelplane.server.accesslog.AccessLog;
import io.tunnelplane.server.admission.ConnectionLimit;
import io.tunnelplane.server.admission.ProxyHeaderReader;
import io.tunnelplane.server.admission.TrustedProxies;
import io.tunnelplane.server.admission.VisitorAddress;
import io.tunnelplane.server.config.TunnelServerProperties;
import io.tunnelplane.server.engine.DrainStarted;
import io.tunnelplane.server.metrics.TunnelMetrics;
import io.tunnelplane.server.proxy.ProxyListeners;
import io.tunnelplane.server.certificates.AcmeChallenges;
import io.tunnelplane.server.certificates.AcmeIssuer;
import io.tunnelplane.server.certificates.CertificateStore;
import io.tunnelplane.server.certificates.SiteTls;
import io.tunnelplane.server.sso.SignOn;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The shared HTTP and HTTPS ports ({@code tunnel.server.vhost.*}). A visitor connection is accepted here, routed
 * by host name, then moved onto its proxy's session event loop, where it is relayed like any TCP visitor; so the
 * relay stays lock-free and one thread per session.
 */
@Component
public class VirtualHostServer implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger("io.tunnelplane.proxy");

    private final TunnelServerProperties properties;
    private final VirtualHosts hosts;
    private final ProxyListeners proxyListeners;
    private final ConnectionLimit limit;
    private final VirtualHostOwners owners;
    private final TunnelMetrics metrics;
    private final BasicAuthChecks basicAuth;
    private final AccessLog accessLog;
    private final TrustedProxies trustedProxies;
    private final SignOn signOn;
    private final SiteTls siteTls;
    private final CertificateStore certificates;
    private final AcmeChallenges challenges;
    private final AcmeIssuer issuer;
    private final Transport transport = Transport.best();
    private final ExecutorService lookups = Executors.newSingleThreadExecutor(r -> new Thread(r, "vhost-lookup"));
    private EventLoopGroup group;
    private EventLoop acceptLoop;
    private EventLoop visitorLoop;
    private Channel httpListener;
    private Channel httpsListener;
    private volatile boolean running;

    public VirtualHostServer(TunnelServerProperties properties, VirtualHosts hosts, ProxyListeners proxyListeners,
            ConnectionLimit limit, VirtualHostOwners owners, TunnelMetrics metrics, BasicAuthChecks basicAuth,
            AccessLog accessLog, TrustedProxies trustedProxies, SignOn signOn, SiteTls siteTls,
            CertificateStore certificates, AcmeChallenges challenges, AcmeIssuer issuer) {
        this.signOn = signOn;
        this.siteTls = siteTls;
        this.certificates = certificates;
        this.challenges = challenges;
        this.issuer = issuer;
        this.trustedProxies = trustedProxies;
        this.accessLog = accessLog;
        this.basicAuth = basicAuth;
        this.properties = properties;
        this.hosts = hosts;
        this.proxyListeners = proxyListeners;
        this.limit = limit;
        this.owners = owners;
        this.metrics = metrics;
    }

    @Override
    public void start() {
        TunnelServerProperties.Vhost vhost = properties.vhost();
        if (vhost.httpPort() > 0 || vhost.httpsPort() > 0) {
            // Two loops: one accepts, the other carries visitors until they are routed (see Transport).
            group = transport.newGroup(2, "vhost");
            Iterator<EventExecutor> loops = group.iterator();
            acceptLoop = (EventLoop) loops.next();
            visitorLoop = (EventLoop) loops.next();
            httpListener = vhost.httpPort() > 0 ? bind(vhost.httpPort(), "http",
                    () -> new HttpVirtualHost(this, "http")) : null;
            httpsListener = vhost.httpsPort() > 0 ? bind(vhost.httpsPort(), "https",
                    () -> new SniVirtualHost(this)) : null;
        }
        running = true;
    }

    private Channel bind(int port, String type, Supplier<ChannelHandler> firstHandler) {
        InetSocketAddress address = new InetSocketAddress(properties.proxyBindAddress(), port);
        try {
            Channel channel = transport.visitorListener(acceptLoop, visitorLoop)
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel visitor) {
                            if (!limit.admit(visitor)) {
                                return;
                            }
                            if (trustedProxies.configured()) {
                                // Visitors speak first here: a forged header from anyone else is refused.
                                visitor.pipeline().addLast(ProxyHeaderReader.NAME, new ProxyHeaderReader(
                                        trustedProxies.trusts(visitor.remoteAddress()), VirtualHostServer::replay,
                                        reason -> {
                                            count(reason, type);
                                            metrics.connectionRefused(reason);
                                        }));
                            }
                            visitor.pipeline().addLast(type + "-vhost", firstHandler.get());
                        }
                    })
                    .bind(address).syncUninterruptibly().channel();
            log.info("virtual hosts ({}) listening on {}", type, address);
            return channel;
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot bind the " + type + " virtual-host port " + address
                    + " (tunnel.server.vhost." + type + "-port): " + e.getMessage(), e);
        }
    }

    VirtualHosts hosts() {
        return hosts;
    }

    BasicAuthChecks basicAuth() {
        return basicAuth;
    }

    SignOn signOn() {
        return signOn;
    }

    SiteTls siteTls() {
        return siteTls;
    }

    /**
     * The TLS context that ends a terminating proxy's TLS for {@code domain}; null (and a certificate ordered)
     * when none is held yet.
     */
    SslContext tlsFor(String domain) {
        SslContext context = certificates.contextFor(domain);
        if (context == null) {
            issuer.wanted(domain);
        }
        return context;
    }

    /** Answers the ACME CA's HTTP-01 request for {@code token}: this node's order at once, another's from the database. */
    void answerChallenge(Channel visitor, String token) {
        String local = challenges.local(token);
        if (local != null) {
            page(visitor, 200, "OK", local, "", true);
            return;
        }
        lookups.execute(() -> {
            Optional<String> shared;
            try {
                shared = challenges.shared(token);
            } catch (RuntimeException e) {
                shared = Optional.empty();
            }
            Optional<String> answer = shared;
            visitor.eventLoop().execute(() -> {
                if (answer.isPresent()) {
                    page(visitor, 200, "OK", answer.get(), "", true);
                } else {
                    page(visitor, 404, "Not Found", "No ACME challenge " + token + " is under way here.");
                }
            });
        });
    }

    /** Where an http proxy's visitor is sent over https: the same host on the HTTPS port (443 left out). */
    String httpsOrigin(String host) {
        int port = properties.vhost().httpsPort();
        return "https://" + host + (port == 443 || port == 0 ? "" : ":" + port);
    }

    /**
     * Writes an HTTP request's access-log line: answered by the local service ({@code responseMs} from its head to
     * the response's), or by the server itself ({@code responseMs} null; a refused source has its own line).
     * {@code user}: who the visitor signed in as (basic auth or single sign-on), or null.
     */
    void logRequest(Channel visitor, VirtualHosts.Route route, String method, String host, String path, int status,
            Instant start, Long responseMs, String user) {
        accessLog.record(AccessLog.request(route.group().clientId(), route.proxy(), VisitorAddress.of(visitor), method,
                host, path, status, start, responseMs, user));
    }

    /** 401 asking the browser for the proxy's user and password; the connection closes, the browser retries. */
    void askForLogin(Channel visitor, String host) {
        page(visitor, 401, "Unauthorized", "This site asks for a user name and password.",
                "WWW-Authenticate: Basic realm=\"" + host.replace("\"", "") + "\", charset=\"UTF-8\"\r\n");
    }

    Duration responseTimeout() {
        return properties.vhost().responseTimeout();
    }

    /** A response that went back to a visitor of an HTTP proxy, by its status. */
    void countResponse(String proxy, int status) {
        metrics.vhostResponse(proxy, status);
    }

    /**
     * Hands the routed visitor to its proxy's session group, which moves it onto the chosen session's event loop
     * and starts the relay there; {@code read} (the bytes read to route) is replayed into the visitor's pipeline
     * once the relay is in place.
     */
    void handOff(Channel visitor, VirtualHosts.Route route, ByteBuf read, RelayListener refusal, Runnable atLimit) {
        count("routed", route.type());
        proxyListeners.handOff(route.group(), route.proxy(), visitor, () -> {
            // Behind TLS ended here the bytes read are already plain: they re-enter after the TLS handler.
            ChannelHandlerContext tls = visitor.pipeline().context(SslHandler.class);
            if (tls != null) {
                tls.fireChannelRead(read);
                tls.fireChannelReadComplete();
            } else {
                visitor.pipeline().fireChannelRead(read);
                visitor.pipeline().fireChannelReadComplete();
            }
        }, refusal, () -> {
            read.release();
            atLimit.run();
        });
    }

    /** Hands what followed a PROXY header (or all that was read) to the routing handler, as if just read. */
    private static void replay(Channel visitor, ByteBuf rest) {
        if (rest.isReadable()) {
            visitor.pipeline().fireChannelRead(rest);
        } else {
            rest.release();
        }
        visitor.pipeline().fireChannelReadComplete();
    }

    /** Why the routed visitor may not reach the proxy, or null (a refusal is counted and logged). */
    String refusal(Channel visitor, VirtualHosts.Route route) {
        return proxyListeners.refusal(route.group(), route.proxy(), VisitorAddress.of(visitor));
    }

    /** Nobody serves {@code host} now: 502 when its agent is merely offline, 404 when no proxy claims it. */
    void noRoute(Channel visitor, String type, String host) {
        noRoute(visitor, type, host, "http".equals(type));
    }

    /** {@code answerInHttp}: the connection speaks HTTP (plain, or TLS ended here), so it gets a page. */
    void noRoute(Channel visitor, String type, String host, boolean answerInHttp) {
        lookups.execute(() -> {
            Optional<String> owner;
            try {
                owner = owners.ownerOf(type, host);
            } catch (RuntimeException e) {
                owner = Optional.empty();
            }
            Optional<String> found = owner;
            visitor.eventLoop().execute(() -> {
                if (!answerInHttp) {
                    refuse(visitor, type, found.isPresent() ? "agent_offline" : "unknown_host");
                } else if (found.isPresent()) {
                    page(visitor, 502, "Bad Gateway", "The agent serving " + host + " is offline; it is "
                            + "reconnected automatically, try again shortly.");
                } else {
                    page(visitor, 404, "Not Found", "No site named " + host + " is served here.");
                }
            });
        });
    }

    void page(Channel visitor, int status, String reason, String message) {
        page(visitor, status, reason, message, "");
    }

    /** 302 or 308 to {@code location}, with {@code setCookies} ({@code Set-Cookie} lines); the connection closes. */
    void redirect(Channel visitor, int status, String location, String setCookies) {
        page(visitor, status, status == 308 ? "Permanent Redirect" : "Found", "Continue at " + location,
                "Location: " + location + "\r\n" + setCookies);
    }

    void page(Channel visitor, int status, String reason, String message, String extraHeaders) {
        page(visitor, status, reason, message, extraHeaders, false);
    }

    /** {@code bare}: the message alone as the body (an ACME answer must be exactly the key authorization). */
    private void page(Channel visitor, int status, String reason, String message, String extraHeaders, boolean bare) {
        count(Integer.toString(status), "http");
        ErrorPages.send(visitor, status, reason, message, extraHeaders, bare);
    }

    /** Closes a connection that cannot be routed and that we cannot answer in its protocol (HTTPS). */
    void refuse(Channel visitor, String type, String reason) {
        count(reason, type);
        visitor.close();
    }

    /** Resets a connection that may not be served (RST): the sender learns nothing but that. */
    void reset(Channel visitor, String type, String reason) {
        count(reason, type);
        visitor.config().setOption(ChannelOption.SO_LINGER, 0);
        visitor.close();
    }

    private void count(String outcome, String type) {
        metrics.vhostConnection(type, outcome);
    }

    /** The engine drains: no new visitors from now on (their routes are going); those connected finish. */
    @EventListener(DrainStarted.class)
    public void closeListeners() {
        if (httpListener != null) {
            httpListener.close().syncUninterruptibly();
        }
        if (httpsListener != null) {
            httpsListener.close().syncUninterruptibly();
        }
    }

    @Override
    public void stop() {
        running = false;
        closeListeners();
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        lookups.shutdownNow();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /**
     * Stops after the engine, which turns readiness down, keeps serving for the load balancer's grace and drains
     * first: in the default phase this port closed, and cut its visitors, the moment SIGTERM arrived, while the
     * balancer still sent it requests. Starts before the engine, after the cluster.
     */
    @Override
    public int getPhase() {
        return LifecyclePhases.VIRTUAL_HOSTS;
    }

    /** The bound HTTP port (tests bind 0 through a free port), or 0 when off. */
    public int httpPort() {
        return httpListener == null ? 0 : ((InetSocketAddress) httpListener.localAddress()).getPort();
    }

    public int httpsPort() {
        return httpsListener == null ? 0 : ((InetSocketAddress) httpsListener.localAddress()).getPort();
    }
}
