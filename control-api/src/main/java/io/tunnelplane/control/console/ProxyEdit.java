package io.tunnelplane.control.console;

import io.tunnelplane.control.proxy.ProxyRequests;
import io.tunnelplane.control.proxy.ProxyView;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The console's proxy edit form, as typed. The public port is a tcp or udp proxy's own; the PROXY protocol header
 * goes on stream proxies (not udp); basic auth belongs to http proxies (an empty user lifts it; an empty password
 * keeps the current one).
 */
public record ProxyEdit(boolean enabled, String localHost, String localPort, String remotePort, String proxyProtocol,
        String httpUser, String httpPassword, String allowFrom, String denyFrom, boolean closeExisting,
        String bandwidthLimit) {

    static ProxyEdit of(ProxyView proxy) {
        return new ProxyEdit(proxy.enabled(), proxy.localHost(), Integer.toString(proxy.localPort()),
                proxy.remotePort() > 0 ? Integer.toString(proxy.remotePort()) : "",
                proxy.proxyProtocol() == null ? "none" : proxy.proxyProtocol(),
                proxy.httpUser() == null ? "" : proxy.httpUser(), "", String.join(", ", proxy.allowFrom()),
                String.join(", ", proxy.denyFrom()), false,
                proxy.bandwidthLimit() == null ? "" : Long.toString(proxy.bandwidthLimit()));
    }

    ProxyRequests.Update toRequest(String type) {
        boolean http = "http".equals(type);
        boolean ownPort = "tcp".equals(type) || "udp".equals(type);
        return new ProxyRequests.Update(enabled, FormErrors.blankToNull(localHost), FormErrors.number(localPort),
                ownPort ? FormErrors.number(remotePort) : null,
                "udp".equals(type) ? null : FormErrors.blankToNull(proxyProtocol),
                http ? (httpUser == null ? "" : httpUser.strip()) : null,
                http ? FormErrors.blankToNull(httpPassword) : null, FormErrors.entries(allowFrom),
                FormErrors.entries(denyFrom), closeExisting,
                FormErrors.blank(bandwidthLimit) ? 0L : FormErrors.bytesPerSecond(bandwidthLimit), null, null, null, null, null);
    }

    Map<String, String> parseErrors(String type) {
        Map<String, String> errors = new LinkedHashMap<>();
        if (FormErrors.blank(localPort)) {
            errors.put("localPort", "must be a port number, 1-65535");
        }
        FormErrors.port(errors, "localPort", localPort);
        FormErrors.rate(errors, "bandwidthLimit", bandwidthLimit);
        if ("tcp".equals(type) || "udp".equals(type)) {
            FormErrors.port(errors, "remotePort", remotePort);
        }
        return errors;
    }
}
