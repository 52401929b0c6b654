package io.tunnelplane.agent;

import io.tunnelplane.protocol.handshake.AgentToken;
import io.tunnelplane.protocol.handshake.Login;
import java.time.Duration;
import java.util.List;

/**
 * The agent's resolved settings. Built once from flags, environment and the config file, validated, immutable.
 *
 * @param servers          the servers to dial (one node, or several nodes of a cluster), at least one
 * @param connections      sessions the agent keeps open at once, spread over {@code servers} (1 to
 *                         {@link Login#MAX_CONNECTIONS})
 * @param keepaliveTime    probe interval asked of the server, null for the server's default
 * @param keepaliveTimeout probe timeout asked of the server, null for the server's default
 * @param hostReportInterval how often the host's open files and memory are reported to the server
 * @param tls              how the server is verified (or --insecure)
 */
public record AgentSettings(
        List<ServerAddress> servers,
        int connections,
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
    public static final int DEFAULT_CONNECTIONS = 2;

    public AgentSettings {
        servers = List.copyOf(servers);
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("--server names no server");
        }
        if (connections < 1 || connections > Login.MAX_CONNECTIONS) {
            throw new IllegalArgumentException("--connections must be 1-" + Login.MAX_CONNECTIONS + ", got "
                    + connections);
        }
    }

    /** The first server: the one single-connection tools such as {@code doctor} talk to. */
    public String serverHost() {
        return servers.get(0).host();
    }

    public int serverPort() {
        return servers.get(0).port();
    }

    public AgentSettings withKeepalive(Duration time, Duration timeout) {
        return new AgentSettings(servers, connections, token, reconnectBase, reconnectCap, stableAfter,
                connectTimeout, time, timeout, hostReportInterval, tls);
    }

    public AgentSettings withHostReportInterval(Duration interval) {
        return new AgentSettings(servers, connections, token, reconnectBase, reconnectCap, stableAfter,
                connectTimeout, keepaliveTime, keepaliveTimeout, interval, tls);
    }

    public AgentSettings withTls(AgentTls newTls) {
        return new AgentSettings(servers, connections, token, reconnectBase, reconnectCap, stableAfter,
                connectTimeout, keepaliveTime, keepaliveTimeout, hostReportInterval, newTls);
    }

    public AgentSettings withConnections(int count) {
        return new AgentSettings(servers, count, token, reconnectBase, reconnectCap, stableAfter,
                connectTimeout, keepaliveTime, keepaliveTimeout, hostReportInterval, tls);
    }
}
