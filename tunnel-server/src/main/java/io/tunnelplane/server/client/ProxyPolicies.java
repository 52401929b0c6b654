package io.tunnelplane.server.client;

import io.tunnelplane.control.runtime.ProxyDefinition;
import io.tunnelplane.server.accesslog.AccessLog;
import io.tunnelplane.server.admission.BandwidthLimits;
import io.tunnelplane.server.admission.VisitorAccess;
import io.tunnelplane.server.certificates.SiteTls;
import io.tunnelplane.server.sso.SignOn;
import io.tunnelplane.server.vhost.BasicAuthChecks;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * What the server enforces for a client's proxies and the agent never learns: basic auth, single sign-on, where
 * TLS ends (and the certificates that needs), source rules, bandwidth limits and the access-log switch. Taken from the client's complete proxy list wherever the engine gets one (at
 * login and on every change), so no enforcement point can miss an update.
 */
@Component
public class ProxyPolicies {
    private final BasicAuthChecks basicAuth;
    private final VisitorAccess access;
    private final BandwidthLimits bandwidth;
    private final AccessLog accessLog;
    private final SignOn signOn;
    private final SiteTls siteTls;

    public ProxyPolicies(BasicAuthChecks basicAuth, VisitorAccess access, BandwidthLimits bandwidth,
            AccessLog accessLog, SignOn signOn, SiteTls siteTls) {
        this.signOn = signOn;
        this.siteTls = siteTls;
        this.basicAuth = basicAuth;
        this.access = access;
        this.bandwidth = bandwidth;
        this.accessLog = accessLog;
    }

    public void take(String client, List<ProxyDefinition> proxies) {
        basicAuth.update(proxies);
        signOn.update(proxies);
        siteTls.update(proxies);
        access.update(client, proxies);
        bandwidth.update(client, proxies);
        accessLog.update(client, proxies);
    }
}
