package io.tunnelplane.control.runtime;

import io.tunnelplane.control.access.SourceRules;
import io.tunnelplane.control.sso.SiteSignOn;
import java.util.List;

/**
 * A proxy as the engine serves it.
 *
 * @param domains     host names of an HTTP/HTTPS proxy, empty for TCP
 * @param locations   path prefixes of an HTTP proxy
 * @param hostRewrite the Host header the local service gets, or empty
 * @param proxyProtocol whether local connections start with a PROXY protocol v2 header
 * @param httpUser      the user name visitors of an HTTP proxy must give, or null when it is open
 * @param httpPasswordHash that user's password as {@link BasicAuthHash} keeps it, or null
 * @param sources       who may visit, by source address (the server's defaults apply on top)
 * @param bandwidthLimit bytes per second each way for all the proxy's visitors together, 0 for none
 * @param clientBandwidthLimit the client's limit for all its proxies together, 0 for none (the same on each of
 *                             them: one list carries everything the engine enforces)
 * @param accessLog     whether its visitors go to the access log
 * @param signOn        who visitors of an http proxy must sign in as, or null when it is open
 * @param terminateTls  whether the server ends an https proxy's TLS (with a certificate for each of its domains)
 * @param redirectToHttps whether an http proxy sends its visitors to https
 * @param backendTls    whether the agent speaks TLS to the local service
 */
public record ProxyDefinition(long id, String name, String type, String localHost, int localPort, int remotePort,
        List<String> domains, List<String> locations, String hostRewrite, boolean proxyProtocol, String httpUser,
        String httpPasswordHash, SourceRules sources, long bandwidthLimit, long clientBandwidthLimit,
        boolean accessLog, SiteSignOn signOn, boolean terminateTls, boolean redirectToHttps, boolean backendTls) {

    public ProxyDefinition {
        domains = List.copyOf(domains);
        locations = List.copyOf(locations);
        hostRewrite = hostRewrite == null ? "" : hostRewrite;
        sources = sources == null ? SourceRules.OPEN : sources;
    }
}
