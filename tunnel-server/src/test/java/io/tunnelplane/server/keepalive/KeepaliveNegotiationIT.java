package io.tunnelplane.server.keepalive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tunnelplane.agent.Agent;
import io.tunnelplane.agent.AgentSettings;
import io.tunnelplane.server.support.TestAgents;
import io.tunnelplane.server.support.TestServer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Agents may ask for their own keepalive interval, but never below the server's enforced minimum. */
class KeepaliveNegotiationIT {
    @Test
    void askedIntervalsAreHonouredDownToTheServersMinimum() throws Exception {
        Map<String, Object> props = TestServer.defaults();
        props.put("tunnel.server.keepalive.min-time", "2s");
        TestServer.client(props, "asker", "asker.secret");
        try (TestServer server = TestServer.start(props)) {
            assertThat(agreedInterval(server, null)).isEqualTo(15_000);        // server default
            assertThat(agreedInterval(server, Duration.ofSeconds(20))).isEqualTo(20_000);
            assertThat(agreedInterval(server, Duration.ofMillis(200))).isEqualTo(2_000); // raised to min-time
        }
    }

    private static long agreedInterval(TestServer server, Duration asked) {
        AgentSettings base = TestAgents.settings(server.agentPort(), "asker.secret", Duration.ofSeconds(2));
        Agent agent = new Agent(base.withKeepalive(asked, null));
        agent.start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> agent.metrics().isConnected());
            return agent.metrics().keepaliveTimeMillis();
        } finally {
            agent.stop();
        }
    }
}
