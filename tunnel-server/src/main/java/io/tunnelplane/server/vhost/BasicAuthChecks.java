package io.tunnelplane.server.vhost;

import io.tunnelplane.control.runtime.BasicAuthHash;
import io.tunnelplane.control.runtime.ProxyDefinition;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * The basic-auth users of HTTP proxies, by proxy id, kept on the server only: the agent never learns them. Filled
 * whenever the control plane hands the engine a client's proxies (at login and on every change).
 */
@Component
public class BasicAuthChecks {
    private final Map<Long, Credential> byProxy = new ConcurrentHashMap<>();

    private record Credential(String user, String passwordHash) {
    }

    /** Takes the basic-auth settings of {@code proxies} (adding, changing or lifting them). */
    public void update(List<ProxyDefinition> proxies) {
        for (ProxyDefinition proxy : proxies) {
            if (proxy.httpUser() == null) {
                byProxy.remove(proxy.id());
            } else {
                byProxy.put(proxy.id(), new Credential(proxy.httpUser(), proxy.httpPasswordHash()));
            }
        }
    }

    /** The user the proxy asks visitors for, or null when it has no basic auth. */
    String userOf(long proxyId) {
        Credential credential = byProxy.get(proxyId);
        return credential == null ? null : credential.user();
    }

    /** Whether a request with this {@code Authorization} header value may pass to the proxy. */
    boolean admits(long proxyId, String authorization) {
        Credential credential = byProxy.get(proxyId);
        if (credential == null) {
            return true;
        }
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        String pair;
        try {
            pair = new String(Base64.getDecoder().decode(authorization.substring(6).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException notBase64) {
            return false;
        }
        int colon = pair.indexOf(':');
        // Both parts are always checked: the time taken does not say which was wrong.
        return colon > 0 && credential.user().equals(pair.substring(0, colon))
                & BasicAuthHash.matches(credential.passwordHash(), pair.substring(colon + 1));
    }
}
