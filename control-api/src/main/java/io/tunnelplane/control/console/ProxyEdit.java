package io.tunnelplane.control.console;

import io.tunnelplane.control.proxy.ProxyRequests;
import io.tunnelplane.control.proxy.ProxyView;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The console's proxy edit form, as typed. The public port is a tcp or udp proxy's own; basic auth belongs to http
 * proxies (an empty user lifts it; an empty password keeps the current one).
 */
public record ProxyEdit(boolean enabled, String localHost, String localPort, String remotePort, String httpUser,
        String httpPassword) {

    static ProxyEdit of(ProxyView proxy) {
        return new ProxyEdit(proxy.enabled(), proxy.localHost(), Integer.toString(proxy.localPort()),
                proxy.remotePort() > 0 ? Integer.toString(proxy.remotePort()) : "",
                proxy.httpUser() == null ? "" : proxy.httpUser(), "");
    }

    ProxyRequests.Update toRequest(String type) {
        boolean http = "http".equals(type);
        boolean ownPort = "tcp".equals(type) || "udp".equals(type);
        return new ProxyRequests.Update(enabled, blankToNull(localHost), number(localPort),
                ownPort ? number(remotePort) : null, null, http ? (httpUser == null ? "" : httpUser.strip()) : null,
                http ? blankToNull(httpPassword) : null);
    }

    Map<String, String> parseErrors(String type) {
        Map<String, String> errors = new LinkedHashMap<>();
        if (number(localPort) == null) {
            errors.put("localPort", "must be a port number, 1-65535");
        }
        boolean ownPort = "tcp".equals(type) || "udp".equals(type);
        if (ownPort && remotePort != null && !remotePort.isBlank() && number(remotePort) == null) {
            errors.put("remotePort", "must be a port number, 1-65535");
        }
        return errors;
    }

    private static Integer number(String value) {
        try {
            return value == null || value.isBlank() ? null : Integer.valueOf(value.strip());
        } catch (NumberFormatException notANumber) {
            return null;
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
