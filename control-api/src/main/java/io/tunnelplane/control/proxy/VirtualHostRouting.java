package io.tunnelplane.control.proxy;

import io.tunnelplane.control.runtime.TunnelRuntime;
import io.tunnelplane.control.web.ApiException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How visitors find an HTTP or HTTPS proxy: its host names (custom domains and/or a subdomain of the server's
 * {@code subdomain-host}) and, for HTTP, path prefixes. Validated here with the rule named in the message;
 * conflicts with other proxies are checked by {@link ProxyService}.
 */
record VirtualHostRouting(List<String> domains, String subdomain, List<String> locations, String hostRewrite) {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    static final VirtualHostRouting NONE = new VirtualHostRouting(List.of(), null, List.of(), null);

    /** Checks a create request of any type: port-based types must not name domains, virtual hosts must. */
    static VirtualHostRouting of(ProxyRequests.Create request, TunnelRuntime runtime) {
        boolean virtualHost = "http".equals(request.type()) || "https".equals(request.type());
        List<String> custom = request.customDomains() == null ? List.of() : request.customDomains();
        List<String> locations = request.locations() == null ? List.of() : request.locations();
        if (!virtualHost) {
            if (request.remotePort() == null) {
                throw ApiException.invalid("remotePort", "is required for " + request.type() + " proxies");
            }
            if (!custom.isEmpty() || request.subdomain() != null || !locations.isEmpty()) {
                throw ApiException.invalid("customDomains", "only http and https proxies are routed by name");
            }
            return NONE;
        }
        if (runtime.virtualHostPort(request.type()) <= 0) {
            throw ApiException.unprocessable("type", request.type() + " proxies need tunnel.server.vhost."
                    + request.type() + "-port on the server, which is not set");
        }
        if (request.remotePort() != null) {
            throw ApiException.invalid("remotePort", request.type() + " proxies share the port "
                    + runtime.virtualHostPort(request.type()) + " (tunnel.server.vhost." + request.type()
                    + "-port): leave remotePort out");
        }
        if ("https".equals(request.type()) && !locations.isEmpty()) {
            throw ApiException.invalid("locations", "https proxies are routed by server name (SNI) only: "
                    + "the path is encrypted");
        }
        Set<String> domains = new LinkedHashSet<>();
        for (String domain : custom) {
            String normal = normalize(domain);
            if (!isDomain(normal)) {
                throw ApiException.invalid("customDomains", "'" + domain + "' is not a valid host name");
            }
            List<String> allowed = runtime.allowedDomains();
            if (!allowed.isEmpty() && allowed.stream().noneMatch(a -> normal.equals(a) || normal.endsWith("." + a))) {
                throw ApiException.unprocessable("customDomains", "'" + domain + "' is not under the allowed domains "
                        + allowed + " (tunnel.server.vhost.allowed-domains)");
            }
            domains.add(normal);
        }
        String subdomain = request.subdomain() == null ? null : request.subdomain().toLowerCase(Locale.ROOT);
        if (subdomain != null) {
            if (!LABEL.matcher(subdomain).matches()) {
                throw ApiException.invalid("subdomain", "must be one DNS label: lowercase letters, digits and "
                        + "inner hyphens");
            }
            String base = runtime.subdomainHost().orElseThrow(() -> ApiException.unprocessable("subdomain",
                    "this server has no tunnel.server.vhost.subdomain-host; use customDomains"));
            domains.add(subdomain + "." + base);
        }
        if (domains.isEmpty()) {
            throw ApiException.invalid("customDomains", request.type() + " proxies need customDomains or a "
                    + "subdomain");
        }
        List<String> prefixes = new ArrayList<>(new LinkedHashSet<>(locations));
        if (prefixes.isEmpty() && "http".equals(request.type())) {
            prefixes.add("/");
        }
        return new VirtualHostRouting(List.copyOf(domains), subdomain, prefixes, request.hostHeaderRewrite());
    }

    static String normalize(String domain) {
        String lower = domain.strip().toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    static boolean isDomain(String name) {
        if (name.isEmpty() || name.length() > 253) {
            return false;
        }
        for (String label : name.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }

    /** The proxy, of the same type, that already serves one of our host name and path pairs, if any. */
    String conflictWith(Proxy other, long clientId) {
        List<String> theirs = other.getCustomDomains();
        for (String domain : domains) {
            if (!theirs.contains(domain)) {
                continue;
            }
            if (!other.getClient().getId().equals(clientId)) {
                return domain + " belongs to client " + other.getClient().getName();
            }
            List<String> theirLocations = other.getLocations().isEmpty() ? List.of("/") : other.getLocations();
            for (String location : locations.isEmpty() ? List.of("/") : locations) {
                if (theirLocations.contains(location)) {
                    return domain + location + " is already served by proxy " + other.getName();
                }
            }
        }
        return null;
    }
}
