package io.tunnelplane.server.vhost;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.ClientCookieEncoder;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.handler.ssl.SslHandler;
import io.tunnelplane.control.sso.SiteSignOn;
import io.tunnelplane.server.sso.Identity;
import io.tunnelplane.server.sso.SignOn;
import io.tunnelplane.server.sso.SignOnException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;

/**
 * What each request of an http proxy must pass before its local service sees it: the proxy's basic auth or single
 * sign-on, and the server's own sign-on pages under {@value #PAGES} (the provider's callback, sign-out). A request
 * that passes leaves with the visitor's identity in the configured headers, and with any copy of those headers the
 * visitor sent, and the sign-on cookies, removed. One gate per visitor connection, used on its event loop.
 */
final class SiteGate implements HttpRequestForwarder.Gate {
    static final String PAGES = "/.tunnel/";
    private static final String SESSION_COOKIE = SignOn.SESSION_COOKIE;
    private static final String LOGIN_COOKIE = SignOn.LOGIN_COOKIE;

    private final VirtualHostServer server;
    private final VirtualHosts.Route route;
    private final Channel visitor;
    private final SignOn signOn;
    private String user;

    SiteGate(VirtualHostServer server, VirtualHosts.Route route, Channel visitor) {
        this.server = server;
        this.route = route;
        this.visitor = visitor;
        this.signOn = server.signOn();
    }

    /** Who the last admitted request came from (the access log's {@code user}), or null when the site is open. */
    @Override
    public String user() {
        return user;
    }

    /**
     * Whether the request goes on to the local service. When it does not, the gate has answered the visitor (and
     * the connection closes after the answer); nothing of it reaches the agent.
     */
    @Override
    public boolean admit(String method, String target, HttpHeaders headers) {
        String host = VirtualHosts.normalize(headers.get(HttpHeaderNames.HOST));
        String path = HttpRequestHead.pathOf(target);
        long proxyId = route.proxy().id();
        SiteSignOn policy = signOn.policy(proxyId);
        if (policy != null && path.startsWith(PAGES)) {
            serverPage(method, target, path, host, headers);
            return false;
        }
        if (!secure() && server.siteTls().redirectsToHttps(proxyId)) {
            log(method, host, path, 308, null);
            server.redirect(visitor, 308, server.httpsOrigin(host) + target, "");
            return false;
        }
        if (!server.basicAuth().admits(proxyId, headers.get(HttpHeaderNames.AUTHORIZATION))) {
            log(method, host, path, 401, null);
            server.askForLogin(visitor, host); // before any stream is opened to the agent
            return false;
        }
        user = server.basicAuth().userOf(proxyId);
        Identity identity = null;
        if (policy != null) {
            identity = signOn.signedIn(policy, host, cookie(headers, SESSION_COOKIE));
            if (identity == null) {
                log(method, host, path, 302, null);
                signIn(policy, host, headers, target);
                return false;
            }
            if (!policy.admits(identity.email(), identity.emailVerified(), identity.groups())) {
                log(method, host, path, 403, identity.user());
                server.page(visitor, 403, "Forbidden", "You are signed in as " + identity.user() + ", who may not "
                        + "visit " + host + ". Sign out at " + origin(headers) + PAGES + "logout to use another "
                        + "account.");
                return false;
            }
            user = identity.user();
        }
        passOn(headers, identity);
        return true;
    }

    /** Identity headers only ever come from us, and our cookies are not the local service's business. */
    private void passOn(HttpHeaders headers, Identity identity) {
        headers.remove(signOn.userHeader());
        headers.remove(signOn.emailHeader());
        if (identity != null) {
            headers.set(signOn.userHeader(), identity.user());
            if (identity.email() != null) {
                headers.set(signOn.emailHeader(), identity.email());
            }
        }
        List<String> cookies = headers.getAll(HttpHeaderNames.COOKIE);
        if (cookies.stream().anyMatch(c -> c.contains(SESSION_COOKIE) || c.contains(LOGIN_COOKIE))) {
            List<Cookie> kept = new ArrayList<>();
            for (String header : cookies) {
                for (Cookie cookie : ServerCookieDecoder.LAX.decodeAll(header)) {
                    if (!cookie.name().equals(SESSION_COOKIE) && !cookie.name().equals(LOGIN_COOKIE)) {
                        kept.add(cookie);
                    }
                }
            }
            headers.remove(HttpHeaderNames.COOKIE);
            if (!kept.isEmpty()) {
                headers.set(HttpHeaderNames.COOKIE, ClientCookieEncoder.LAX.encode(kept));
            }
        }
    }

    private void signIn(SiteSignOn policy, String host, HttpHeaders headers, String target) {
        signOn.signIn(route.proxy().id(), policy, origin(headers), host, target).whenComplete((redirect, failure) ->
                visitor.eventLoop().execute(() -> {
                    if (failure != null) {
                        server.page(visitor, 503, "Service Unavailable", "Signing in with " + policy.provider()
                                + " is not possible right now: " + reason(failure) + ". Try again shortly.");
                    } else {
                        server.redirect(visitor, 302, redirect.location().toString(), cookie(LOGIN_COOKIE,
                                redirect.loginCookie(), PAGES + "callback", SignOn.SIGN_IN_TIME.toSeconds()));
                    }
                }));
    }

    private void serverPage(String method, String target, String path, String host, HttpHeaders headers) {
        if (path.equals(PAGES + "callback")) {
            Map<String, String> query = new HashMap<>();
            new QueryStringDecoder(target).parameters().forEach((name, values) -> query.put(name, values.get(0)));
            signOn.complete(origin(headers), host, query, cookie(headers, LOGIN_COOKIE))
                    .whenComplete((signedIn, failure) -> visitor.eventLoop().execute(() -> {
                        if (failure != null) {
                            log(method, host, path, 400, null);
                            server.page(visitor, 400, "Bad Request", "Signing in did not complete: "
                                    + reason(failure) + ". Start again at " + origin(headers) + "/");
                        } else {
                            log(method, host, path, 302, signedIn.identity().user());
                            server.redirect(visitor, 302, signedIn.returnTo(), cookie(SESSION_COOKIE,
                                    signedIn.sessionCookie(), "/", signOn.sessionLifetime().toSeconds())
                                    + cookie(LOGIN_COOKIE, "", PAGES + "callback", 0));
                        }
                    }));
        } else if (path.equals(PAGES + "logout")) {
            log(method, host, path, 200, null);
            server.page(visitor, 200, "OK", "You are signed out of " + host + ".",
                    cookie(SESSION_COOKIE, "", "/", 0));
        } else {
            log(method, host, path, 404, null);
            server.page(visitor, 404, "Not Found", "There is no page " + path + " here.");
        }
    }

    /** A {@code Set-Cookie} header line: HttpOnly always, Secure when the visitor came over TLS. */
    private String cookie(String name, String value, String path, long maxAgeSeconds) {
        return "Set-Cookie: " + name + "=" + value + "; Path=" + path + "; Max-Age=" + maxAgeSeconds
                + "; HttpOnly; SameSite=Lax" + (secure() ? "; Secure" : "") + "\r\n";
    }

    private static String cookie(HttpHeaders headers, String name) {
        for (String header : headers.getAll(HttpHeaderNames.COOKIE)) {
            for (Cookie cookie : ServerCookieDecoder.LAX.decodeAll(header)) {
                if (cookie.name().equals(name)) {
                    return cookie.value();
                }
            }
        }
        return null;
    }

    /** The site as the browser sees it: the scheme of this connection and the Host it asked for. */
    private String origin(HttpHeaders headers) {
        return (secure() ? "https://" : "http://") + headers.get(HttpHeaderNames.HOST);
    }

    private boolean secure() {
        return visitor.pipeline().get(SslHandler.class) != null;
    }

    private void log(String method, String host, String path, int status, String who) {
        server.logRequest(visitor, route, method, host, path, status, Instant.now(), null, who);
    }

    private static String reason(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        return cause instanceof SignOnException ? cause.getMessage()
                : "the identity provider did not answer (" + cause.getClass().getSimpleName() + ")";
    }
}
