package io.tunnelplane.server.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tunnelplane.agent.Agent;
import io.tunnelplane.protocol.DisconnectCause;
import io.tunnelplane.server.support.FreePorts;
import io.tunnelplane.server.support.LocalService;
import io.tunnelplane.server.support.TestAgents;
import io.tunnelplane.server.support.TestServer;
import io.tunnelplane.server.support.Visitor;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A server restart: the agent is told, comes back by itself within its backoff cap, and the proxy works again. */
class ServerRestartIT {
    private static final String TOKEN = "restart.secret";
    private static final Duration RECONNECT_CAP = Duration.ofSeconds(3);

    @Test
    void agentComesBackAfterARestartAndReportsWhyItLeft() throws Exception {
        int agentPort = FreePorts.any();
        int publicPort = FreePorts.inRange(10000, 20000);
        try (LocalService echo = new LocalService(LocalService.Mode.ECHO)) {
            Map<String, Object> props = TestServer.defaults();
            props.put("tunnel.server.bind-port", agentPort);
            TestServer.client(props, "restart", TOKEN);
            TestServer.proxy(props, 0, "echo", echo.port(), publicPort);

            Agent agent;
            try (TestServer first = TestServer.start(props)) {
                agent = TestAgents.start(agentPort, TOKEN, RECONNECT_CAP);
                Visitor.awaitEcho(publicPort, Duration.ofSeconds(15));
            }
            // The first server is gone: the agent saw why, without waiting for a keepalive timeout.
            await().atMost(Duration.ofSeconds(5)).until(() -> !agent.metrics().isConnected());
            assertThat(agent.metrics().disconnects()).containsEntry(DisconnectCause.SERVER_SHUTDOWN, 1L);

            try (TestServer second = TestServer.start(props)) {
                // Each failed attempt waits at most the cap; a couple of attempts fit in this bound.
                Visitor.awaitEcho(publicPort, RECONNECT_CAP.multipliedBy(3));
                assertThat(agent.metrics().sessions()).isEqualTo(2);
                String metrics = second.get("/actuator/prometheus").body();
                assertThat(metrics).containsPattern(
                        "tunnel_reconnects_total\\{client=\"restart\",previous_cause=\"server_shutdown\"} 1\\.0");
            } finally {
                agent.stop();
            }
        }
    }

}
