package io.tunnelplane.server.certificates;

import io.tunnelplane.control.runtime.ProxyDefinition;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Which https proxies end TLS at the server and which http proxies send visitors to https, by proxy id; filled
 * whenever the engine gets a client's proxies. A terminating proxy's domains are handed to the ACME issuer at once,
 * so a certificate is ordered when a domain is added, not when its first visitor comes.
 */
@Component
public class SiteTls {
    private final Set<Long> terminating = ConcurrentHashMap.newKeySet();
    private final Set<Long> redirecting = ConcurrentHashMap.newKeySet();
    private final AcmeIssuer issuer;

    public SiteTls(AcmeIssuer issuer) {
        this.issuer = issuer;
    }

    public void update(List<ProxyDefinition> proxies) {
        for (ProxyDefinition proxy : proxies) {
            if (proxy.terminateTls()) {
                terminating.add(proxy.id());
                proxy.domains().forEach(issuer::wanted);
            } else {
                terminating.remove(proxy.id());
            }
            if (proxy.redirectToHttps()) {
                redirecting.add(proxy.id());
            } else {
                redirecting.remove(proxy.id());
            }
        }
    }

    public boolean terminates(long proxyId) {
        return terminating.contains(proxyId);
    }

    public boolean redirectsToHttps(long proxyId) {
        return redirecting.contains(proxyId);
    }
}
