package io.tunnelplane.server.config;

import io.tunnelplane.control.access.SourceRules;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The tunnel engine's settings ({@code tunnel.server.*}), immutable and validated before anything starts.
 *
 * @param bindAddress      address of the agent port
 * @param bindPort         agent port; 0 picks a free one (tests)
 * @param proxyBindAddress address public proxy ports bind to
 * @param allowPorts       ports proxies may use, e.g. {@code 10000-20000,30000}
 * @param eventLoopThreads I/O threads; 0 means twice the processor count
 * @param maxConnections   agent and visitor connections open at once; beyond it new ones are refused and counted
 * @param handshakeTimeout how long an unauthenticated connection may take to log in
 * @param keepalive        liveness probing of agent sessions
 * @param shutdown         graceful shutdown behaviour
 * @param mux              HTTP/2 windows and frame size
 * @param tls              TLS on the agent port
 * @param login            defences of the agent port against unauthenticated peers
 * @param limits           per-session and per-proxy visitor connection limits
 * @param vhost            shared ports of HTTP and HTTPS proxies, routed by host name
 * @param clients          statically configured clients (until the control plane stores them)
 * @param nodeId           this node's name in the cluster; empty means the host name
 * @param advertiseAddress {@code host:port} agents dial to reach this node; empty on a single node
 * @param cluster          presence of nodes sharing one PostgreSQL database
 * @param metrics          how many clients get series of their own
 * @param access           who may visit any proxy, by source address, unless a proxy says otherwise
 * @param sso              identity providers that http proxies' visitors sign in with
 * @param acme             where certificates of https proxies that end TLS at the server come from
 */
@Validated
@ConfigurationProperties("tunnel.server")
public record TunnelServerProperties(
        @DefaultValue("0.0.0.0") @NotBlank String bindAddress,
        @DefaultValue("7000") @Min(0) @Max(65535) int bindPort,
        @DefaultValue("0.0.0.0") @NotBlank String proxyBindAddress,
        @DefaultValue("10000-20000")
        @Pattern(regexp = "\\s*\\d{1,5}(\\s*-\\s*\\d{1,5})?(\\s*,\\s*\\d{1,5}(\\s*-\\s*\\d{1,5})?)*\\s*",
                message = "must be ports or ranges separated by commas, e.g. 10000-20000,30000")
        String allowPorts,
        @DefaultValue("0") @Min(0) @Max(256) int eventLoopThreads,
        @DefaultValue("20000") @Min(1) int maxConnections,
        @DefaultValue("10s") @NotNull Duration handshakeTimeout,
        @DefaultValue @Valid Keepalive keepalive,
        @DefaultValue @Valid Shutdown shutdown,
        @DefaultValue @Valid Mux mux,
        @DefaultValue @Valid Tls tls,
        @DefaultValue @Valid Login login,
        @DefaultValue @Valid Limits limits,
        @DefaultValue @Valid Vhost vhost,
        @DefaultValue @Valid List<ClientConfig> clients,
        @DefaultValue("") @Pattern(regexp = "|[A-Za-z0-9][A-Za-z0-9._-]{0,62}",
                message = "must be 1-63 letters, digits, dots, dashes or underscores, starting with a letter or digit")
        String nodeId,
        @DefaultValue("") @Pattern(regexp = "|\\S+:\\d{1,5}", message = "must be HOST:PORT, e.g. node-a.example.com:7000")
        String advertiseAddress,
        @DefaultValue @Valid Cluster cluster,
        @DefaultValue @Valid Metrics metrics,
        @DefaultValue @Valid Access access,
        @DefaultValue @Valid Sso sso,
        @DefaultValue @Valid Acme acme) {

    public PortRange allowedPorts() {
        return PortRange.parse(allowPorts);
    }

    /**
     * Probe after {@code time} of silence; give up when nothing arrives within {@code timeout} after it. Agents may
     * ask for other values; they get no less than {@code minTime}, and an agent that pings more often than that
     * more than {@code maxPingStrikes} times is disconnected with {@code too_many_pings}.
     */
    public record Keepalive(
            @DefaultValue("15s") @NotNull Duration time,
            @DefaultValue("15s") @NotNull Duration timeout,
            @DefaultValue("1s") @NotNull Duration minTime,
            @DefaultValue("2") @Min(0) int maxPingStrikes) {
    }

    /**
     * Nodes sharing a PostgreSQL database write a presence row every {@code heartbeatInterval}; a node silent for
     * {@code nodeExpiry} is taken for dead (its sessions no longer count) and its rows are removed. A starting
     * node reports ready once every client connected to another node has connected here too, or after
     * {@code startupWait}, so a load balancer does not send it visitors it cannot serve yet.
     */
    public record Cluster(
            @DefaultValue("5s") @NotNull Duration heartbeatInterval,
            @DefaultValue("20s") @NotNull Duration nodeExpiry,
            @DefaultValue("30s") @NotNull Duration startupWait) {
    }

    /**
     * Per-client series ({@code client} label) exist for the first {@code perClientLimit} clients a node sees; the
     * clients beyond it are summed under {@code client="_other"}, so a large fleet does not blow the scrape up.
     */
    public record Metrics(@DefaultValue("1000") @Min(0) int perClientLimit) {
    }

    /**
     * On stop: readiness turns false and the node keeps serving for {@code lbGrace}, so a load balancer stops
     * sending it visitors; then it stops accepting, tells agents, and lets in-flight streams finish for at most
     * {@code drain}.
     */
    public record Shutdown(
            @DefaultValue("10s") @NotNull Duration drain,
            @DefaultValue("5s") @NotNull Duration lbGrace) {
    }

    /**
     * HTTP/2 flow-control windows and frame size of agent sessions. A stream starts with {@code streamWindow}; one
     * whose reader takes a window faster than the path's round trip refills it grows it, doubling up to
     * {@code maxStreamWindow}.
     */
    public record Mux(
            @DefaultValue("1MB") @NotNull DataSize streamWindow,
            @DefaultValue("8MB") @NotNull DataSize maxStreamWindow,
            @DefaultValue("16MB") @NotNull DataSize connectionWindow,
            @DefaultValue("64KB") @NotNull DataSize maxFrameSize) {
    }

    /**
     * TLS 1.3 on the agent port, on unless {@code enabled=false} is set explicitly. Without {@code certificate} and
     * {@code privateKey} (PEM, PKCS#8 key) the server creates a key pair and self-signed certificate in
     * {@code generatedDirectory} at first start and reuses it after; tokens handed out by the API carry its key
     * pin. With {@code clientCa}, agents must also present a certificate issued by it (mutual TLS).
     */
    public record Tls(
            @DefaultValue("true") boolean enabled,
            String certificate,
            String privateKey,
            @DefaultValue("data/tls") @NotBlank String generatedDirectory,
            String clientCa) {
    }

    /**
     * Unauthenticated connections: at most {@code maxPending} at once ({@code maxPendingPerAddress} from one
     * address); after {@code failuresBeforeLockout} failed logins an address, or a client name, is locked out for
     * {@code lockoutBase}, doubling with every further failure up to {@code lockoutMax}. A locked client still
     * logs in from addresses it logged in from before, so an attacker cannot lock the real agent out.
     */
    public record Login(
            @DefaultValue("1000") @Min(1) int maxPending,
            @DefaultValue("32") @Min(1) int maxPendingPerAddress,
            @DefaultValue("5") @Min(1) int failuresBeforeLockout,
            @DefaultValue("1s") @NotNull Duration lockoutBase,
            @DefaultValue("15m") @NotNull Duration lockoutMax) {
    }

    /**
     * Visitor connections one agent session carries at once ({@code maxStreamsPerSession}) and one proxy accepts
     * at once ({@code maxConnectionsPerProxy}); 0 means unlimited. Beyond them a visitor is reset at once and
     * counted in {@code tunnel_connections_refused_total{reason}}.
     */
    public record Limits(
            @DefaultValue("10000") @Min(0) int maxStreamsPerSession,
            @DefaultValue("0") @Min(0) int maxConnectionsPerProxy) {
    }

    /**
     * Virtual hosts: one public HTTP port routing by {@code Host} (and path prefix), one HTTPS port routing by the
     * TLS server name without decrypting; 0 leaves a port closed (and its proxy type unavailable). Proxies name
     * their hosts as custom domains, which must fall under {@code allowedDomains} when that is set, or as a
     * subdomain of {@code subdomainHost}. A request forwarded to a local service that has not begun its response
     * within {@code responseTimeout} gets 504 rather than a hang.
     */
    public record Vhost(
            @DefaultValue("0") @Min(0) @Max(65535) int httpPort,
            @DefaultValue("0") @Min(0) @Max(65535) int httpsPort,
            String subdomainHost,
            @DefaultValue List<String> allowedDomains,
            @DefaultValue("60s") @NotNull Duration responseTimeout) {
    }

    /**
     * Server-wide source rules: addresses and CIDR blocks in {@code denyFrom} may visit no proxy; {@code allowFrom},
     * when set, is the default allow list of proxies that have none of their own. {@code log}: one JSON line per
     * visitor connection, UDP flow, HTTP request and refusal on the logger {@code io.tunnelplane.access}, to
     * standard output or, when {@code logFile} is set, appended to that file. {@code trustedProxies}: load balancers
     * whose PROXY protocol header (v1 or v2) names the real visitor on the public ports; others may not send one.
     * {@code quotaInterval}: how often each node adds its clients' traffic to the shared monthly totals and reads
     * who is over quota.
     */
    public record Access(
            @DefaultValue List<String> allowFrom,
            @DefaultValue List<String> denyFrom,
            @DefaultValue("true") boolean log,
            @DefaultValue("") String logFile,
            @DefaultValue List<String> trustedProxies,
            @DefaultValue("30s") @NotNull Duration quotaInterval) {

        public SourceRules rules() {
            return SourceRules.of(allowFrom, denyFrom);
        }
    }

    /**
     * Single sign-on for http proxies: OpenID Connect providers by name (a proxy's {@code sso.provider}), each
     * discovered from its issuer. A visitor's sign-on lasts {@code sessionLifetime}; the local service learns who
     * it is from {@code userHeader} and {@code emailHeader}, which the server strips from what visitors send.
     */
    public record Sso(
            @DefaultValue Map<String, @Valid SsoProvider> providers,
            @DefaultValue("12h") @NotNull Duration sessionLifetime,
            @DefaultValue("X-Forwarded-User") @Pattern(regexp = HEADER_NAME, message = HEADER_MESSAGE)
            String userHeader,
            @DefaultValue("X-Forwarded-Email") @Pattern(regexp = HEADER_NAME, message = HEADER_MESSAGE)
            String emailHeader) {
        static final String HEADER_NAME = "[A-Za-z0-9-]{1,64}";
        static final String HEADER_MESSAGE = "must be an HTTP header name (letters, digits, dashes)";
    }

    /**
     * An OpenID Connect provider (Keycloak, Google, Entra ID, Authentik, Dex...): the server is its confidential
     * client {@code clientId}/{@code clientSecret} and registers {@code <site>/.tunnel/callback} as redirect URI of
     * each site; {@code groupsClaim} names the ID-token claim holding the visitor's groups.
     */
    public record SsoProvider(
            @NotBlank @Pattern(regexp = "https?://[^\\s?#]+", message = "must be the provider's issuer URL, "
                    + "e.g. https://login.example.org/realms/staff") String issuerUri,
            @NotBlank String clientId,
            @DefaultValue("") String clientSecret,
            @DefaultValue({"openid", "email", "profile"}) List<String> scopes,
            @DefaultValue("groups") @NotBlank String groupsClaim) {

        @Override
        public String toString() {
            return "SsoProvider[issuerUri=" + issuerUri + ", clientId=" + clientId + ", clientSecret=****, scopes="
                    + scopes + ", groupsClaim=" + groupsClaim + "]";
        }
    }

    /**
     * Certificates for https proxies with {@code tlsMode: terminate}, from the ACME CA at {@code directoryUrl}
     * (HTTP-01 answered on the shared HTTP port, which must be reachable as port 80 of each domain). Nothing is
     * ordered until {@code acceptTerms} says the operator accepts the CA's terms. {@code directoryCa}: a PEM CA
     * file trusted for the directory's own HTTPS (a private CA such as step-ca); empty: the JVM's trust store.
     * Renewed when less than {@code renewBefore} (or a third of its lifetime) is left; a failing domain is retried
     * after {@code retryBase}, doubling up to {@code retryMax}; every domain is looked at each
     * {@code checkInterval}.
     */
    public record Acme(
            @DefaultValue("https://acme-v02.api.letsencrypt.org/directory")
            @Pattern(regexp = "https?://\\S+", message = "must be the ACME directory URL") String directoryUrl,
            @DefaultValue("") String email,
            @DefaultValue("false") boolean acceptTerms,
            @DefaultValue("") String directoryCa,
            @DefaultValue("30d") @NotNull Duration renewBefore,
            @DefaultValue("1h") @NotNull Duration checkInterval,
            @DefaultValue("5m") @NotNull Duration retryBase,
            @DefaultValue("24h") @NotNull Duration retryMax) {
    }

    /** A client (agent identity) and the proxies it serves, configured statically. */
    public record ClientConfig(
            @NotBlank @Pattern(regexp = "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?",
                    message = "must be a DNS label: lowercase letters, digits and inner hyphens, 1-63 characters")
            String name,
            @NotBlank String token,
            @DefaultValue @Valid List<ProxyConfig> proxies) {

        @Override
        public String toString() {
            return "ClientConfig[name=" + name + ", token=****, proxies=" + proxies + "]";
        }
    }

    /**
     * A TCP or UDP proxy: public {@code remotePort} on the server relayed to {@code localHost:localPort} at the
     * agent; {@code proxyProtocol} {@code v2} (TCP only) has the agent tell the service the visitor's address.
     */
    public record ProxyConfig(
            @NotBlank String name,
            @DefaultValue("tcp") @Pattern(regexp = "tcp|udp",
                    message = "must be tcp or udp (http and https proxies are managed through the API)") String type,
            @DefaultValue("127.0.0.1") @NotBlank String localHost,
            @Min(1) @Max(65535) int localPort,
            @Min(1) @Max(65535) int remotePort,
            @DefaultValue("none") @Pattern(regexp = "none|v2", message = "must be none or v2") String proxyProtocol,
            @DefaultValue List<String> allowFrom,
            @DefaultValue List<String> denyFrom) {
    }
}
