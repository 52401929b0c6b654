package io.tunnelplane.control.console;

import io.tunnelplane.control.proxy.ProxyRequests;
import io.tunnelplane.control.sso.SiteSignOn;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The console's new-proxy form, as typed: numbers stay text until {@link #toRequest()} so that "80a" is answered
 * next to its field instead of by a binding error page. The form groups fields by the types that take them; a
 * group the chosen type does not take is ignored, so a half-filled field of another type never blocks it. The rules
 * for the rest (basic auth needs both halves, a location is a path, a sign-on provider the server has) are the
 * service's, answered next to the field.
 */
public record ProxyForm(String name, String type, String localHost, String localPort, String remotePort,
        String customDomains, String subdomain, String locations, String hostHeaderRewrite, String proxyProtocol,
        String httpUser, String httpPassword, String allowFrom, String denyFrom, String bandwidthLimit,
        String tlsMode, Boolean backendTls, Boolean redirectToHttps, String ssoProvider, String ssoAllowEmails,
        String ssoAllowDomains, String ssoAllowGroups) {

    static ProxyForm empty() {
        return new ProxyForm("", "tcp", "127.0.0.1", "", "", "", "", "", "", "none", "", "", "", "", "",
                "passthrough", false, false, "", "", "", "");
    }

    boolean virtualHost() {
        return "http".equals(type) || "https".equals(type);
    }

    ProxyRequests.Create toRequest() {
        boolean http = "http".equals(type);
        boolean https = "https".equals(type);
        boolean udp = "udp".equals(type);
        boolean terminate = https && "terminate".equals(tlsMode);
        return new ProxyRequests.Create(trim(name), trim(type), trim(localHost), FormErrors.number(localPort),
                virtualHost() ? null : FormErrors.number(remotePort), true,
                FormErrors.bytesPerSecond(bandwidthLimit),
                virtualHost() ? nullIfEmpty(FormErrors.entries(customDomains)) : null,
                virtualHost() ? FormErrors.blankToNull(subdomain) : null,
                http ? nullIfEmpty(FormErrors.entries(locations)) : null,
                http ? FormErrors.blankToNull(hostHeaderRewrite) : null,
                udp ? null : FormErrors.blankToNull(proxyProtocol),
                http ? FormErrors.blankToNull(httpUser) : null,
                http ? FormErrors.blankToNull(httpPassword) : null, FormErrors.entries(allowFrom),
                FormErrors.entries(denyFrom), null, (http || terminate) ? signOn() : null,
                https ? FormErrors.blankToNull(tlsMode) : null,
                http && Boolean.TRUE.equals(redirectToHttps) ? Boolean.TRUE : null,
                (http || terminate) && Boolean.TRUE.equals(backendTls) ? Boolean.TRUE : null);
    }

    /** The sign-on asked for, or null when no provider is chosen. */
    private SiteSignOn signOn() {
        return FormErrors.blank(ssoProvider) ? null : new SiteSignOn(ssoProvider.strip(),
                FormErrors.entries(ssoAllowEmails), FormErrors.entries(ssoAllowDomains),
                FormErrors.entries(ssoAllowGroups));
    }

    private static List<String> nullIfEmpty(List<String> entries) {
        return entries.isEmpty() ? null : entries;
    }

    /** Numbers that are not numbers, by field. */
    Map<String, String> parseErrors() {
        Map<String, String> errors = new LinkedHashMap<>();
        FormErrors.port(errors, "localPort", localPort);
        FormErrors.rate(errors, "bandwidthLimit", bandwidthLimit);
        if (!virtualHost()) {
            FormErrors.port(errors, "remotePort", remotePort);
        }
        return errors;
    }

    private static String trim(String value) {
        return value == null ? null : value.strip();
    }
}
