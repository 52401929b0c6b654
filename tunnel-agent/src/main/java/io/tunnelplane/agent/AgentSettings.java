package io.tunnelplane.agent;

import io.tunnelplane.protocol.handshake.AgentToken;
import java.time.Duration;

/**
 * The agent's resolved settings. Built once from flags, environment and the config file, validated, immutable.
 *
 * @param keepaliveTime    probe interval asked of the server, null for the server's default
 * @param keepaliveTimeout probe timeout asked of the server, null for the server's default
 * @param hostReportInterval how often the host's open files and memory are reported to the server
 * @param tls              how the server is verified (or --insecure)
 */
public record AgentSettings(
        String serverHost,
        int serverPort,
        AgentToken token,
        Duration reconnectBase,
        Duration reconnectCap,
        Duration stableAfter,
        Duration connectTimeout,
        Duration keepaliveTime,
        Duration keepaliveTimeout,
        Duration hostReportInterval,
        AgentTls tls) {

    public static final Duration DEFAULT_HOST_REPORT_INTERVAL = Duration.ofSeconds(60);

    public AgentSettings withKeepalive(Duration time, Duration timeout) {
        return new AgentSettings(serverHost, serverPort, token, reconnectBase, reconnectCap, stableAfter,
                connectTimeout, time, timeout, hostReportInterval, tls);
    }

    public AgentSettings withHostReportInterval(Duration interval) {
        return new AgentSettings(serverHost, serverPort, token, reconnectBase, reconnectCap, stableAfter,
                connectTimeout, keepaliveTime, keepaliveTimeout, interval, tls);
    }

    public AgentSettings withTls(AgentTls newTls) {
        return new AgentSettings(serverHost, serverPort, token, reconnectBase, reconnectCap, stableAfter,
                connectTimeout, keepaliveTime, keepaliveTimeout, hostReportInterval, newTls);
    }

    /** Parses {@code host:port} (IPv6 as {@code [::1]:7000}); the message names the option. */
    public static String[] parseServer(String server) {
        if (server == null || server.isBlank()) {
            throw new IllegalArgumentException("--server (or TUNNEL_SERVER) is required, e.g. --server tunnel.example.com:7000");
        }
        String value = server.strip();
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new IllegalArgumentException("--server must be HOST:PORT, got '" + value + "'");
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        String port = value.substring(colon + 1);
        try {
            int parsed = Integer.parseInt(port);
            if (parsed < 1 || parsed > 65535) {
                throw new NumberFormatException();
            }
            return new String[] {host, port};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--server port must be 1-65535, got '" + port + "'");
        }
    }
}
