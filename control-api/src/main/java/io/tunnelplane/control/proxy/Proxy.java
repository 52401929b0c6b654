package io.tunnelplane.control.proxy;

import io.tunnelplane.control.client.Client;
import io.tunnelplane.control.sso.SiteSignOn;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.List;

/** A public port on the server relayed to {@code localHost:localPort} as seen from the client's agent. */
@Entity
@Table(name = "proxy")
public class Proxy {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @ManyToOne(fetch = FetchType.LAZY, optional = false)
    @JoinColumn(name = "client_id", nullable = false)
    private Client client;

    @Column(nullable = false, length = 63)
    private String name;

    @Column(nullable = false, length = 16)
    private String type;

    @Column(name = "local_host", nullable = false, length = 253)
    private String localHost;

    @Column(name = "local_port", nullable = false)
    private int localPort;

    @Column(name = "remote_port", nullable = false)
    private int remotePort;

    @Column(nullable = false)
    private boolean enabled;

    /** Mirrors {@code remotePort} while enabled so the database keeps enabled ports unique. */
    @Column(name = "active_remote_port", unique = true)
    private Integer activeRemotePort;

    /** Bytes per second each way for all its visitors together; null for none. */
    @Column(name = "bandwidth_limit")
    private Long bandwidthLimit;

    /** Comma-separated lowercase host names (HTTP/HTTPS). */
    @Column(name = "custom_domains", length = 2000)
    private String customDomains;

    @Column(length = 63)
    private String subdomain;

    /** Comma-separated path prefixes (HTTP). */
    @Column(length = 2000)
    private String locations;

    @Column(name = "host_header_rewrite", length = 253)
    private String hostHeaderRewrite;

    /** {@code v2} when local connections start with a PROXY protocol header, null when they do not. */
    @Column(name = "proxy_protocol", length = 8)
    private String proxyProtocol;

    @Column(name = "http_user", length = 64)
    private String httpUser;

    /** {@link io.tunnelplane.control.runtime.BasicAuthHash} of the basic-auth password; never the password. */
    @Column(name = "http_password_hash", length = 120)
    private String httpPasswordHash;

    /** Whether its visitors are written to the access log (when the server writes one). */
    @Column(name = "access_log", nullable = false)
    private boolean accessLog = true;

    /** Comma-separated addresses and CIDR blocks visitors may come from; none: any (see SourceRules). */
    @Column(name = "allow_from", length = 4000)
    private String allowFrom;

    /** Comma-separated addresses and CIDR blocks refused whatever the allow list says. */
    @Column(name = "deny_from", length = 4000)
    private String denyFrom;

    /** {@code terminate} when the server ends an https proxy's TLS with a certificate it holds; null: passthrough. */
    @Column(name = "tls_mode", length = 16)
    private String tlsMode;

    /** Whether an http proxy sends its visitors to the same address over https. */
    @Column(name = "redirect_to_https", nullable = false)
    private boolean redirectToHttps;

    /** Whether the agent speaks TLS to the local service. */
    @Column(name = "backend_tls", nullable = false)
    private boolean backendTls;

    /** The identity provider visitors sign in with (http), null when the proxy is open. */
    @Column(name = "sso_provider", length = 64)
    private String ssoProvider;

    @Column(name = "sso_allow_emails", length = 4000)
    private String ssoAllowEmails;

    @Column(name = "sso_allow_domains", length = 4000)
    private String ssoAllowDomains;

    @Column(name = "sso_allow_groups", length = 4000)
    private String ssoAllowGroups;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    @Version
    private long version;

    protected Proxy() {
    }

    public Proxy(Client client, String name, String type, String localHost, int localPort, int remotePort,
            boolean enabled, Long bandwidthLimit, Instant now) {
        this.client = client;
        this.name = name;
        this.type = type;
        this.localHost = localHost;
        this.localPort = localPort;
        this.remotePort = remotePort;
        this.bandwidthLimit = bandwidthLimit;
        this.createdAt = now;
        enable(enabled, now);
    }

    public Long getId() {
        return id;
    }

    public Client getClient() {
        return client;
    }

    public String getName() {
        return name;
    }

    public String getType() {
        return type;
    }

    public String getLocalHost() {
        return localHost;
    }

    public int getLocalPort() {
        return localPort;
    }

    public int getRemotePort() {
        return remotePort;
    }

    public boolean isEnabled() {
        return enabled;
    }

    public Long getBandwidthLimit() {
        return bandwidthLimit;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public Instant getUpdatedAt() {
        return updatedAt;
    }

    public List<String> getCustomDomains() {
        return split(customDomains);
    }

    public String getSubdomain() {
        return subdomain;
    }

    public List<String> getLocations() {
        return split(locations);
    }

    public String getHostHeaderRewrite() {
        return hostHeaderRewrite;
    }

    public String getProxyProtocol() {
        return proxyProtocol;
    }

    /** {@code v2}, or {@code none}/null for no PROXY protocol header. */
    public void proxyProtocol(String version, Instant now) {
        this.proxyProtocol = "v2".equals(version) ? version : null;
        this.updatedAt = now;
    }

    public String getHttpUser() {
        return httpUser;
    }

    public String getHttpPasswordHash() {
        return httpPasswordHash;
    }

    /** Requires HTTP basic auth of visitors ({@code user} non-empty), or lifts it ({@code user} empty or null). */
    public void basicAuth(String user, String passwordHash, Instant now) {
        boolean on = user != null && !user.isEmpty();
        this.httpUser = on ? user : null;
        this.httpPasswordHash = on ? passwordHash : null;
        this.updatedAt = now;
    }

    /** Sets how visitors find a virtual-host proxy. */
    /** A limit of 0 or null lifts it. */
    public void limitBandwidth(Long bytesPerSecond, Instant now) {
        this.bandwidthLimit = bytesPerSecond == null || bytesPerSecond == 0 ? null : bytesPerSecond;
        this.updatedAt = now;
    }

    public boolean isAccessLog() {
        return accessLog;
    }

    public void logAccess(boolean accessLog, Instant now) {
        this.accessLog = accessLog;
        this.updatedAt = now;
    }

    public List<String> getAllowFrom() {
        return split(allowFrom);
    }

    public List<String> getDenyFrom() {
        return split(denyFrom);
    }

    /** Replaces who may visit: a null list leaves that list as it is. */
    public void restrictSources(List<String> allow, List<String> deny, Instant now) {
        if (allow != null) {
            this.allowFrom = allow.isEmpty() ? null : String.join(",", allow);
        }
        if (deny != null) {
            this.denyFrom = deny.isEmpty() ? null : String.join(",", deny);
        }
        this.updatedAt = now;
    }

    /** {@code passthrough} (TLS goes to the local service untouched) or {@code terminate}; null for non-https. */
    public String getTlsMode() {
        return "https".equals(type) ? (tlsMode == null ? "passthrough" : tlsMode) : null;
    }

    public boolean isTerminatingTls() {
        return "terminate".equals(tlsMode);
    }

    public void tlsMode(String mode, Instant now) {
        this.tlsMode = "terminate".equals(mode) ? mode : null;
        this.updatedAt = now;
    }

    public boolean isBackendTls() {
        return backendTls;
    }

    public void backendTls(boolean tls, Instant now) {
        this.backendTls = tls;
        this.updatedAt = now;
    }

    public boolean isRedirectToHttps() {
        return redirectToHttps;
    }

    public void redirectToHttps(boolean redirect, Instant now) {
        this.redirectToHttps = redirect;
        this.updatedAt = now;
    }

    /** Who visitors must sign in as, or null when the proxy is open. */
    public SiteSignOn getSignOn() {
        return ssoProvider == null ? null : new SiteSignOn(ssoProvider, split(ssoAllowEmails), split(ssoAllowDomains),
                split(ssoAllowGroups));
    }

    /** Puts single sign-on in front of the proxy, or lifts it ({@code null}). */
    public void signOn(SiteSignOn signOn, Instant now) {
        ssoProvider = signOn == null ? null : signOn.provider();
        ssoAllowEmails = signOn == null ? null : joined(signOn.allowEmails());
        ssoAllowDomains = signOn == null ? null : joined(signOn.allowDomains());
        ssoAllowGroups = signOn == null ? null : joined(signOn.allowGroups());
        this.updatedAt = now;
    }

    private static String joined(List<String> entries) {
        return entries.isEmpty() ? null : String.join(",", entries);
    }

    public void route(List<String> domains, String subdomain, List<String> locations, String hostHeaderRewrite,
            Instant now) {
        this.customDomains = domains.isEmpty() ? null : String.join(",", domains);
        this.subdomain = subdomain;
        this.locations = locations.isEmpty() ? null : String.join(",", locations);
        this.hostHeaderRewrite = hostHeaderRewrite;
        this.updatedAt = now;
    }

    private static List<String> split(String joined) {
        return joined == null || joined.isEmpty() ? List.of() : List.of(joined.split(","));
    }

    /**
     * The value of the unique {@code active_remote_port} column: TCP and UDP have separate port spaces, so a UDP
     * port is kept above 65535 (iperf3 -u, DNS and QUIC want both protocols on one number).
     */
    public static int portKey(String type, int port) {
        return "udp".equals(type) ? UDP_PORT_OFFSET + port : port;
    }

    static final int UDP_PORT_OFFSET = 100_000;

    public boolean isVirtualHost() {
        return "http".equals(type) || "https".equals(type);
    }

    public void enable(boolean enabled, Instant now) {
        this.enabled = enabled;
        this.activeRemotePort = enabled && !isVirtualHost() ? portKey(type, remotePort) : null;
        this.updatedAt = now;
    }

    public void retarget(String localHost, int localPort, int remotePort, Instant now) {
        this.localHost = localHost;
        this.localPort = localPort;
        this.remotePort = remotePort;
        enable(enabled, now);
    }
}
