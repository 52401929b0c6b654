package io.tunnelplane.server.support;

import io.tunnelplane.agent.Agent;
import io.tunnelplane.agent.AgentSettings;
import io.tunnelplane.agent.AgentTls;
import io.tunnelplane.agent.ServerAddress;
import io.tunnelplane.protocol.handshake.AgentToken;
import java.time.Duration;
import java.util.List;

/**
 * Real agents, in-process, pointed at a test server; they pin the test server's key unless the token has a pin.
 * They keep one connection unless a test asks for a set ({@link #start(int, String, Duration, int)}).
 */
public final class TestAgents {
    private TestAgents() {
    }

    public static AgentSettings settings(int serverPort, String token, Duration reconnectCap) {
        AgentToken parsed = AgentToken.parse(token);
        return new AgentSettings(List.of(new ServerAddress("127.0.0.1", serverPort)), 1, parsed, Duration.ofMillis(200),
                reconnectCap, Duration.ofSeconds(60), Duration.ofSeconds(5), null, null,
                AgentSettings.DEFAULT_HOST_REPORT_INTERVAL,
                AgentTls.pinned(parsed.serverPin() != null ? parsed.serverPin() : TestServer.KEY_PIN));
    }

    public static Agent start(int serverPort, String token, Duration reconnectCap) {
        return start(serverPort, token, reconnectCap, 1);
    }

    /** An agent with a connection set over several servers (cluster nodes), e.g. {@code 127.0.0.2:p,127.0.0.3:q}. */
    public static Agent start(List<ServerAddress> servers, String token, Duration reconnectCap, int connections) {
        AgentSettings one = settings(servers.get(0).port(), token, reconnectCap);
        Agent agent = new Agent(new AgentSettings(servers, connections, one.token(), one.reconnectBase(),
                one.reconnectCap(), one.stableAfter(), one.connectTimeout(), one.keepaliveTime(),
                one.keepaliveTimeout(), one.hostReportInterval(), one.tls()));
        agent.start();
        return agent;
    }

    public static Agent start(int serverPort, String token, Duration reconnectCap, int connections) {
        Agent agent = new Agent(settings(serverPort, token, reconnectCap).withConnections(connections));
        agent.start();
        return agent;
    }
}
