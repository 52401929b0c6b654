package io.tunnelplane.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tunnelplane.agent.Agent;
import io.tunnelplane.server.support.TestAgents;
import io.tunnelplane.server.support.TestServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Beyond {@code tunnel.server.metrics.per-client-limit}, clients share the {@code _other} series. */
class PerClientLimitIT {

    @Test
    void clientsBeyondTheLimitAreSummedUnderOther() throws Exception {
        Map<String, Object> props = TestServer.defaults();
        props.put("tunnel.server.metrics.per-client-limit", 1);
        List<String> names = List.of("alpha", "beta", "gamma");
        for (int i = 0; i < names.size(); i++) {
            props.put("tunnel.server.clients[" + i + "].name", names.get(i));
            props.put("tunnel.server.clients[" + i + "].token", names.get(i) + ".secret");
        }
        try (TestServer server = TestServer.start(props)) {
            List<Agent> agents = names.stream()
                    .map(name -> TestAgents.start(server.agentPort(), name + ".secret", Duration.ofSeconds(1)))
                    .toList();
            try {
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                    String page = server.get("/actuator/prometheus").body();
                    assertThat(page).contains("tunnel_client_online{client=\"_other\"} 2.0")
                            .contains("tunnel_agent_connections{client=\"_other\"} 2.0");
                    long named = names.stream().filter(name -> page.contains(
                            "tunnel_client_online{client=\"" + name + "\"} 1.0")).count();
                    assertThat(named).as("one client keeps a series of its own").isEqualTo(1);
                    assertThat(Pattern.compile("tunnel_agent_connections\\{client=\"(alpha|beta|gamma)\"}")
                            .matcher(page).results().count()).isEqualTo(1);
                });
            } finally {
                agents.forEach(Agent::stop);
            }
        }
    }
}
