package io.tunnelplane.server.vhost;

import io.netty.util.concurrent.Future;
import io.tunnelplane.protocol.control.ProxySpec;
import io.tunnelplane.server.session.ProxyListener;
import io.tunnelplane.server.session.SessionGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.springframework.stereotype.Component;

/**
 * The routing table of the shared HTTP and HTTPS ports: which live session serves which host name (and, for HTTP,
 * path prefix). Proxies register while their session serves them and unregister when it stops.
 */
@Component
public class VirtualHosts {
    private final Map<String, List<Route>> byHost = new ConcurrentHashMap<>();

    /** One host name and path prefix served by a proxy of a client's session group. */
    public record Route(String type, String host, String location, SessionGroup group, ProxySpec proxy) {
        boolean live() {
            return !group.live().isEmpty();
        }
    }

    /** Adds the proxy's routes; the returned listener removes them when closed. */
    public Future<ProxyListener> register(SessionGroup group, ProxySpec proxy) {
        List<Route> added = new ArrayList<>();
        for (String host : proxy.domains()) {
            for (String location : proxy.locations().isEmpty() ? List.of("/") : proxy.locations()) {
                Route route = new Route(proxy.type(), host, location, group, proxy);
                byHost.computeIfAbsent(key(proxy.type(), host), k -> new CopyOnWriteArrayList<>()).add(route);
                added.add(route);
            }
        }
        ProxyListener listener = ProxyListener.routes(proxy, () -> added.stream().allMatch(Route::live), () -> {
            for (Route route : added) {
                byHost.computeIfPresent(key(route.type(), route.host()), (k, routes) -> {
                    routes.remove(route);
                    return routes.isEmpty() ? null : routes;
                });
            }
            return group.eventLoop().newSucceededFuture(null);
        });
        if (!group.adopt(proxy, listener)) {
            listener.close();
            return group.eventLoop().newFailedFuture(new IllegalStateException("the agent's sessions ended"));
        }
        return group.eventLoop().newSucceededFuture(listener);
    }

    /**
     * The route for a request: the live one with the longest path prefix of {@code path}; among equals the most
     * recently registered.
     */
    public Optional<Route> find(String type, String host, String path) {
        List<Route> routes = byHost.get(key(type, normalize(host)));
        if (routes == null) {
            return Optional.empty();
        }
        Route best = null;
        for (Route route : routes) {
            if (route.live() && path.startsWith(route.location())
                    && (best == null || route.location().length() >= best.location().length())) {
                best = route;
            }
        }
        return Optional.ofNullable(best);
    }

    /** A live route of {@code host} (any location) that {@code wanted} accepts. */
    public Optional<Route> firstLive(String type, String host, Predicate<Route> wanted) {
        List<Route> routes = byHost.get(key(type, normalize(host)));
        return routes == null ? Optional.empty() : routes.stream().filter(r -> r.live() && wanted.test(r)).findFirst();
    }

    /** Lowercase, without a port or trailing dot: how a Host header or a TLS server name is looked up. */
    static String normalize(String host) {
        if (host == null) {
            return "";
        }
        String h = host.strip().toLowerCase(Locale.ROOT);
        int colon = h.lastIndexOf(':');
        if (colon > 0 && h.indexOf(']') < colon && h.indexOf(':') == colon) {
            h = h.substring(0, colon);
        }
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    private static String key(String type, String host) {
        return type + "|" + host;
    }
}
