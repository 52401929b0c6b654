package io.tunnelplane.server.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import java.util.List;
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
 * @param clients          statically configured clients (until the control plane stores them)
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
        @DefaultValue @Valid List<ClientConfig> clients) {

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

    /** On stop: tell agents, stop accepting, then let in-flight streams finish for at most {@code drain}. */
    public record Shutdown(@DefaultValue("10s") @NotNull Duration drain) {
    }

    /** HTTP/2 flow-control windows and frame size of agent sessions. */
    public record Mux(
            @DefaultValue("1MB") @NotNull DataSize streamWindow,
            @DefaultValue("16MB") @NotNull DataSize connectionWindow,
            @DefaultValue("64KB") @NotNull DataSize maxFrameSize) {
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

    /** A TCP proxy: public {@code remotePort} on the server relayed to {@code localHost:localPort} at the agent. */
    public record ProxyConfig(
            @NotBlank String name,
            @DefaultValue("tcp") @Pattern(regexp = "tcp", message = "must be tcp (udp and http come later)") String type,
            @DefaultValue("127.0.0.1") @NotBlank String localHost,
            @Min(1) @Max(65535) int localPort,
            @Min(1) @Max(65535) int remotePort) {
    }
}
