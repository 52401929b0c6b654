package io.tunnelplane.control.proxy;

import io.tunnelplane.control.client.ClientRequests;
import io.tunnelplane.control.sso.SiteSignOn;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.util.List;

/** Request bodies of the proxy endpoints. */
public final class ProxyRequests {
    /** Entries an allow or deny list may hold (each fits in the 4000 characters stored). */
    static final int SOURCE_ENTRIES = 64;
    static final String HOST_RULE = "[A-Za-z0-9.:\\[\\]-]{1,253}";
    static final String LOCATION_RULE = "/[A-Za-z0-9._~!$&'()*+,;=:@%/-]{0,254}";
    static final String LOCATION_MESSAGE = "must be a path prefix starting with /";
    static final String PROXY_PROTOCOL_RULE = "none|v2";
    static final String HTTP_USER_RULE = "[^:\\p{Cntrl}]{1,64}";
    static final String HTTP_USER_MESSAGE = "must be 1-64 characters without ':' or control characters";
    static final String TLS_MODE_RULE = "passthrough|terminate";
    static final String TLS_MODE_MESSAGE = "must be passthrough (TLS goes to the local service) or terminate (the "
            + "server ends it with a certificate it holds)";
    static final String PROXY_PROTOCOL_MESSAGE = "must be none or v2 (the PROXY protocol version sent to the local "
            + "service)";

    private ProxyRequests() {
    }

    public record Create(
            @NotBlank @Pattern(regexp = ClientRequests.NAME_RULE, message = ClientRequests.NAME_MESSAGE) String name,
            @NotNull @Pattern(regexp = "tcp|udp|http|https", message = "must be tcp, udp, http or https") String type,
            @NotBlank @Size(max = 253) @Pattern(regexp = HOST_RULE, message = "must be a host name or IP address")
            String localHost,
            @NotNull @Min(1) @Max(65535) Integer localPort,
            @Min(1) @Max(65535) Integer remotePort,
            Boolean enabled,
            @Positive Long bandwidthLimit,
            @Size(max = 32) List<@Size(max = 253) String> customDomains,
            @Size(max = 63) String subdomain,
            @Size(max = 32) List<@Pattern(regexp = LOCATION_RULE, message = LOCATION_MESSAGE) String> locations,
            @Size(max = 253) @Pattern(regexp = HOST_RULE, message = "must be a host name") String hostHeaderRewrite,
            @Pattern(regexp = PROXY_PROTOCOL_RULE, message = PROXY_PROTOCOL_MESSAGE) String proxyProtocol,
            @Pattern(regexp = HTTP_USER_RULE, message = HTTP_USER_MESSAGE) String httpUser,
            @Size(min = 8, max = 128) String httpPassword,
            @Size(max = SOURCE_ENTRIES) List<@Size(max = 49) String> allowFrom,
            @Size(max = SOURCE_ENTRIES) List<@Size(max = 49) String> denyFrom,
            Boolean accessLog,
            @Valid SiteSignOn sso,
            @Pattern(regexp = TLS_MODE_RULE, message = TLS_MODE_MESSAGE) String tlsMode,
            Boolean redirectToHttps,
            Boolean backendTls) {

        /** A TCP proxy, as most callers create them. */
        public Create(String name, String type, String localHost, Integer localPort, Integer remotePort,
                Boolean enabled, Long bandwidthLimit) {
            this(name, type, localHost, localPort, remotePort, enabled, bandwidthLimit, null, null, null, null,
                    null, null, null, null, null, null, null, null, null, null);
        }
    }

    /** PATCH: absent fields stay as they are; {@code "sso": {"provider": ""}} lifts single sign-on. */
    public record Update(
            Boolean enabled,
            @Size(max = 253) @Pattern(regexp = HOST_RULE, message = "must be a host name or IP address")
            String localHost,
            @Min(1) @Max(65535) Integer localPort,
            @Min(1) @Max(65535) Integer remotePort,
            @Pattern(regexp = PROXY_PROTOCOL_RULE, message = PROXY_PROTOCOL_MESSAGE) String proxyProtocol,
            @Pattern(regexp = "|" + HTTP_USER_RULE, message = HTTP_USER_MESSAGE + " (empty lifts basic auth)")
            String httpUser,
            @Size(min = 8, max = 128) String httpPassword,
            @Size(max = SOURCE_ENTRIES) List<@Size(max = 49) String> allowFrom,
            @Size(max = SOURCE_ENTRIES) List<@Size(max = 49) String> denyFrom,
            Boolean closeExisting,
            @PositiveOrZero Long bandwidthLimit,
            Boolean accessLog,
            @Valid SiteSignOn sso,
            @Pattern(regexp = TLS_MODE_RULE, message = TLS_MODE_MESSAGE) String tlsMode,
            Boolean redirectToHttps,
            Boolean backendTls) {
        /** A change of the proxy's own settings, its source rules, limit and access log left as they are. */
        public Update(Boolean enabled, String localHost, Integer localPort, Integer remotePort, String proxyProtocol,
                String httpUser, String httpPassword) {
            this(enabled, localHost, localPort, remotePort, proxyProtocol, httpUser, httpPassword, null, null, null,
                    null, null, null, null, null, null);
        }
    }
}
