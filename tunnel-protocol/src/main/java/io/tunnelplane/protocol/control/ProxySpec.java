package io.tunnelplane.protocol.control;

import java.util.List;

/**
 * A proxy as the agent needs to know it: the server opens streams carrying {@code id}, and the agent relays them
 * to {@code localHost:localPort}. {@code remotePort} (TCP) and {@code domains}/{@code locations} (HTTP and HTTPS
 * virtual hosts) say where visitors reach it on the server; the agent only logs them.
 *
 * @param domains     host names routed to this proxy (lowercase), empty for port-based types
 * @param locations   path prefixes of those hosts routed here (HTTP only), {@code ["/"]} when not narrowed
 * @param hostRewrite the {@code Host} header the local service gets instead of the visitor's, or empty
 * @param proxyProtocol whether the agent opens each local connection with a PROXY protocol v2 header naming the
 *                      visitor's address (stream types only)
 * @param localTls     whether the agent speaks TLS to the local service (an HTTPS-only service behind an http
 *                     proxy, or behind TLS the server ended); the service's certificate is not checked: it is on
 *                     the agent's own network, and usually self-signed
 */
public record ProxySpec(long id, String name, String type, String localHost, int localPort, int remotePort,
        List<String> domains, List<String> locations, String hostRewrite, boolean proxyProtocol, boolean localTls) {
    public static final String TCP = "tcp";
    public static final String UDP = "udp";
    public static final String HTTP = "http";
    public static final String HTTPS = "https";

    public ProxySpec {
        domains = List.copyOf(domains);
        locations = List.copyOf(locations);
        hostRewrite = hostRewrite == null ? "" : hostRewrite;
    }

    public ProxySpec(long id, String name, String type, String localHost, int localPort, int remotePort,
            List<String> domains, List<String> locations, String hostRewrite, boolean proxyProtocol) {
        this(id, name, type, localHost, localPort, remotePort, domains, locations, hostRewrite, proxyProtocol, false);
    }

    /** A port-based proxy. */
    public ProxySpec(long id, String name, String type, String localHost, int localPort, int remotePort) {
        this(id, name, type, localHost, localPort, remotePort, List.of(), List.of(), "", false);
    }

    /** Whether visitors reach this proxy through a shared virtual-host port rather than a port of its own. */
    public boolean isVirtualHost() {
        return HTTP.equals(type) || HTTPS.equals(type);
    }
}
