package io.tunnelplane.server.support;

import io.tunnelplane.agent.Agent;
import io.tunnelplane.agent.AgentSettings;
import io.tunnelplane.agent.AgentTls;
import io.tunnelplane.protocol.handshake.AgentToken;
import java.time.Duration;

/** Real agents, in-process, pointed at a test server; they pin the test server's key unless the token has a pin. */
public final class TestAgents {
    private TestAgents() {
    }

    public static AgentSettings settings(int serverPort, String token, Duration reconnectCap) {
        AgentToken parsed = AgentToken.parse(token);
        return new AgentSettings("127.0.0.1", serverPort, parsed, Duration.ofMillis(200),
                reconnectCap, Duration.ofSeconds(60), Duration.ofSeconds(5), null, null,
                AgentSettings.DEFAULT_HOST_REPORT_INTERVAL,
                AgentTls.pinned(parsed.serverPin() != null ? parsed.serverPin() : TestServer.KEY_PIN));
    }

    public static Agent start(int serverPort, String token, Duration reconnectCap) {
        Agent agent = new Agent(settings(serverPort, token, reconnectCap));
        agent.start();
        return agent;
    }
}
