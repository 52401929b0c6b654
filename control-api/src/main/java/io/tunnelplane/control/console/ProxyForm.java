package io.tunnelplane.control.console;

import io.tunnelplane.control.proxy.ProxyRequests;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The console's new-proxy form, as typed: numbers stay text until {@link #toRequest()} so that "80a" is answered
 * next to its field instead of by a binding error page. Fields a type does not take are ignored for it.
 */
public record ProxyForm(String name, String type, String localHost, String localPort, String remotePort,
        String customDomains, String subdomain) {

    static ProxyForm empty() {
        return new ProxyForm("", "tcp", "127.0.0.1", "", "", "", "");
    }

    boolean virtualHost() {
        return "http".equals(type) || "https".equals(type);
    }

    ProxyRequests.Create toRequest() {
        List<String> domains = virtualHost() && customDomains != null && !customDomains.isBlank()
                ? Arrays.stream(customDomains.split("[,\\s]+")).filter(d -> !d.isEmpty()).toList() : null;
        return new ProxyRequests.Create(trim(name), trim(type), trim(localHost), FormErrors.number(localPort),
                virtualHost() ? null : FormErrors.number(remotePort), true, null, domains,
                virtualHost() ? FormErrors.blankToNull(subdomain) : null, null, null, null, null, null);
    }

    /** Numbers that are not numbers, by field. */
    Map<String, String> parseErrors() {
        Map<String, String> errors = new LinkedHashMap<>();
        FormErrors.port(errors, "localPort", localPort);
        if (!virtualHost()) {
            FormErrors.port(errors, "remotePort", remotePort);
        }
        return errors;
    }

    private static String trim(String value) {
        return value == null ? null : value.strip();
    }
}
