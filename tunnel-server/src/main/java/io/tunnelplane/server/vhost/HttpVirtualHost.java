package io.tunnelplane.server.vhost;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.tunnelplane.protocol.mux.RelayListener;
import io.tunnelplane.protocol.mux.StreamHeaders;
import io.tunnelplane.server.admission.RoutingPeek;
import io.tunnelplane.server.certificates.AcmeChallenges;
import io.tunnelplane.server.proxy.ProxyListeners;
import java.time.Duration;

/**
 * The first handler of a visitor connection on the shared HTTP port (or, for an https proxy that ends TLS at the
 * server, behind that TLS): reads until the first request head is
 * complete, finds the proxy for its host and path, and hands the connection (with the bytes read so far) to that
 * proxy's session. Unknown hosts get 404, hosts whose agent is offline 502, a refused local service 502, one that
 * does not answer in time 504. Basic auth and single sign-on are the site's gate: no stream is opened to the agent
 * for a request it does not admit.
 */
final class HttpVirtualHost extends RoutingPeek {
    static final String DECODER = "http-decoder";
    static final String NAME = "http-vhost";

    private final VirtualHostServer server;
    private final String type;

    /** {@code type}: {@code http} on the HTTP port, {@code https} behind TLS the server ended for a proxy. */
    HttpVirtualHost(VirtualHostServer server, String type) {
        this.server = server;
        this.type = type;
    }

    /** The sign-on pages belong to the host, whichever location's proxy asked for the sign-in. */
    private VirtualHosts.Route routeOf(String host, String path) {
        if (path.startsWith(SiteGate.PAGES)) {
            var signingOn = server.hosts().firstLive(type, host, r -> server.signOn().policy(r.proxy().id()) != null);
            if (signingOn.isPresent()) {
                return signingOn.get();
            }
        }
        return server.hosts().find(type, host, path).orElse(null);
    }

    @Override
    protected boolean route(ChannelHandlerContext ctx, CompositeByteBuf read) {
        HttpRequestHead request;
        try {
            request = HttpRequestHead.parse(read);
        } catch (IllegalArgumentException malformed) {
            server.page(ctx.channel(), 400, "Bad Request", malformed.getMessage());
            return true;
        }
        if (request == null) {
            return false;
        }
        String host = VirtualHosts.normalize(request.host());
        if ("http".equals(type) && request.path().startsWith(AcmeChallenges.PATH)) {
            server.answerChallenge(ctx.channel(), request.path().substring(AcmeChallenges.PATH.length()));
            return true;
        }
        VirtualHosts.Route route = routeOf(host, request.path());
        if (route == null) {
            server.noRoute(ctx.channel(), type, host, true);
            return true;
        }
        if ("https".equals(type) && !server.siteTls().terminates(route.proxy().id())) {
            // Its TLS belongs to its local service: not to be answered with TLS the server ended.
            server.page(ctx.channel(), 421, "Misdirected Request", host + " is not served on this connection.");
            return true;
        }
        String refusal = server.refusal(ctx.channel(), route);
        if (ProxyListeners.QUOTA_EXCEEDED.equals(refusal)) {
            server.page(ctx.channel(), 429, "Too Many Requests", host + " has used its traffic quota for this month;"
                    + " it is served again from the first of next month (UTC).");
            return true;
        } else if (refusal != null) {
            server.page(ctx.channel(), 403, "Forbidden", "Your address may not visit " + host + ".");
            return true;
        }
        long proxyId = route.proxy().id();
        SiteGate gate = new SiteGate(server, route, ctx.channel());
        if (!gate.admit(request.method(), request.target(), request.headers())) {
            return true; // answered by the gate before any stream is opened to the agent
        }
        ByteBuf bytes = takeRead();
        String proxy = route.proxy().name();
        Duration timeout = server.responseTimeout();
        HttpResponseWatch responses = new HttpResponseWatch(timeout, (answered, status) -> {
            server.countResponse(proxy, status);
            if (answered != null) {
                server.logRequest(ctx.channel(), route, answered.method().name(), answered.host(), answered.path(),
                        status, answered.start(), (System.nanoTime() - answered.startNanos()) / 1_000_000,
                        answered.user());
            }
            if (status == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
                // Only now does the connection speak what it upgraded to (WebSocket): no more HTTP parsing, and
                // nothing left to gate. Asking for an upgrade and getting a plain answer changes nothing.
                ChannelPipeline pipeline = ctx.channel().pipeline();
                if (pipeline.get(HttpRequestForwarder.NAME) != null) {
                    pipeline.remove(HttpRequestForwarder.NAME);
                }
                if (pipeline.get(DECODER) != null) {
                    pipeline.remove(DECODER);
                }
            }
        },
                () -> server.page(ctx.channel(), 504, "Gateway Timeout", "The local service of this site did not "
                        + "begin its response within " + timeout.toSeconds() + "s (proxy " + proxy + ")."));
        ctx.pipeline().addFirst(HttpResponseWatch.NAME, responses);
        ctx.pipeline().addBefore(NAME, DECODER, new HttpRequestDecoder());
        ctx.pipeline().replace(this, HttpRequestForwarder.NAME, new HttpRequestForwarder(route.proxy().hostRewrite(),
                next -> server.hosts().find(type, VirtualHosts.normalize(next.headers().get("Host")),
                        HttpRequestHead.pathOf(next.uri()))
                        .map(r -> r.proxy().id() == proxyId).orElse(false),
                gate, responses));
        server.handOff(ctx.channel(), route, bytes, new RelayListener() {
            @Override
            public boolean answerRefusal(String status) {
                if (StreamHeaders.STATUS_TIMED_OUT.equals(status)) {
                    server.page(ctx.channel(), 504, "Gateway Timeout", "The agent of this site could not connect "
                            + "to its local service in time (proxy " + proxy + ").");
                } else {
                    server.page(ctx.channel(), 502, "Bad Gateway", "The agent of this site could not reach its "
                            + "local service (proxy " + proxy + ").");
                }
                return true;
            }
        }, () -> server.page(ctx.channel(), 503, "Service Unavailable", "This site is at its connection limit "
                + "(tunnel.server.limits); try again shortly."));
        return true;
    }
}
