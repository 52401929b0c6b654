package io.tunnelplane.server.keepalive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tunnelplane.agent.Agent;
import io.tunnelplane.server.support.FaultyLink;
import io.tunnelplane.server.support.FreePorts;
import io.tunnelplane.server.support.LocalService;
import io.tunnelplane.server.support.TestAgents;
import io.tunnelplane.server.support.TestServer;
import io.tunnelplane.server.support.Visitor;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An agent whose old session is still registered (its path died silently and keepalive has not noticed yet) takes
 * over at once, ports included: never "port already in use", never a wait for the old session to time out.
 */
class SessionTakeoverIT {
    private static final String TOKEN = "takeover.secret";

    @Test
    void newSessionReplacesAStaleOneAndInheritsItsPorts() throws Exception {
        int publicPort = FreePorts.inRange(10000, 20000);
        try (LocalService echo = new LocalService(LocalService.Mode.ECHO)) {
            Map<String, Object> props = TestServer.defaults();
            props.put("tunnel.server.keepalive.time", "60s"); // the stale session would linger for minutes
            props.put("tunnel.server.keepalive.timeout", "60s");
            TestServer.client(props, "takeover", TOKEN);
            TestServer.proxy(props, 0, "echo", echo.port(), publicPort);
            try (TestServer server = TestServer.start(props); FaultyLink link = new FaultyLink(server.agentPort())) {
                Agent stale = TestAgents.start(link.port(), TOKEN, Duration.ofSeconds(30));
                Visitor.awaitEcho(publicPort, Duration.ofSeconds(20));
                link.blackhole();

                Agent fresh = TestAgents.start(server.agentPort(), TOKEN, Duration.ofSeconds(2));
                try {
                    // Far sooner than the 120 s the stale session would need to time out.
                    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                        assertThat(fresh.metrics().isConnected()).isTrue();
                        assertThat(Visitor.exchange(publicPort, "mine".getBytes())).isEqualTo("mine".getBytes());
                    });
                    assertThat(server.get("/actuator/prometheus").body())
                            .containsPattern("tunnel_disconnects_total\\{agent_version=\"[^\"]*\",cause=\"replaced\"} 1\\.0");
                } finally {
                    stale.stop();
                    fresh.stop();
                }
            }
        }
    }

}
