package io.tunnelplane.control.proxy;

import io.tunnelplane.control.sso.SiteSignOn;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A proxy as the API shows it.
 *
 * @param state {@code listening}, {@code not_listening} (client online but the port is not open),
 *              {@code offline} (client offline) or {@code disabled}
 * @param localError why the agent last failed to reach the local service, null when it did or has not tried
 * @param customDomains host names of an http/https proxy (including the one its subdomain makes)
 * @param proxyProtocol {@code v2} when local connections start with a PROXY protocol header, else null
 * @param httpUser the user HTTP basic auth asks visitors for, null when the proxy is open (the password is never
 *                 shown)
 * @param allowFrom addresses and CIDR blocks visitors may come from (empty: any, unless the server's defaults
 *                  say otherwise)
 * @param denyFrom addresses and CIDR blocks refused whatever the allow list says
 * @param accessLog whether its visitors are written to the access log
 * @param sso who visitors of an http proxy must sign in as, null when it is open
 * @param tlsMode an https proxy's {@code passthrough} or {@code terminate}; null for other types
 * @param redirectToHttps whether an http proxy sends its visitors to https
 * @param backendTls whether the agent speaks TLS to the local service
 * @param nodes what each other node of the cluster did with the change this view answers ({@code applied},
 *              {@code no_session}, {@code failed: <reason>}); empty on a single node and when reading
 * @param nodeStates in a cluster, the proxy's state on each node holding a session of its client
 *                   ({@code listening} or {@code not_listening}, as of that node's last heartbeat); empty on a
 *                   single node and for a disabled proxy
 */
public record ProxyView(long id, long clientId, String name, String type, String localHost, int localPort,
        int remotePort, boolean enabled, Long bandwidthLimit, Instant createdAt, Instant updatedAt,
        String state, String localError, List<String> customDomains, String subdomain, List<String> locations,
        String hostHeaderRewrite, String proxyProtocol, String httpUser, List<String> allowFrom,
        List<String> denyFrom, boolean accessLog, SiteSignOn sso, String tlsMode, boolean redirectToHttps, boolean backendTls, Map<String, String> nodes, Map<String, String> nodeStates) {

    static ProxyView of(Proxy p, String state, String localError, Map<String, String> nodes,
            Map<String, String> nodeStates) {
        return new ProxyView(p.getId(), p.getClient().getId(), p.getName(), p.getType(), p.getLocalHost(),
                p.getLocalPort(), p.getRemotePort(), p.isEnabled(), p.getBandwidthLimit(), p.getCreatedAt(),
                p.getUpdatedAt(), state, localError, p.getCustomDomains(), p.getSubdomain(), p.getLocations(),
                p.getHostHeaderRewrite(), p.getProxyProtocol(), p.getHttpUser(), p.getAllowFrom(), p.getDenyFrom(),
                p.isAccessLog(), p.getSignOn(), p.getTlsMode(), p.isRedirectToHttps(), p.isBackendTls(), nodes, nodeStates);
    }
}
