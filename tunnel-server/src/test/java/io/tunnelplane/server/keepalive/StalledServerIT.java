package io.tunnelplane.server.keepalive;

import static io.tunnelplane.server.support.Json.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tunnelplane.agent.Agent;
import io.tunnelplane.protocol.DisconnectCause;
import io.tunnelplane.server.support.PackagedNode;
import io.tunnelplane.server.support.TestAgents;
import io.tunnelplane.server.support.TestPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The server as its own process, frozen with SIGSTOP long enough for every agent to give up on it (a stop-the-world
 * pause, a starved or frozen VM). When it runs again it notices its own pause and records the ends it caused as
 * {@code server_stalled} rather than blaming each agent's path, and the fleet's diagnosis names the server.
 */
class StalledServerIT {
    private static final int CLIENTS = 3;

    @Test
    void aServerThatStoppedRunningBlamesItselfForEveryDropItCaused(@TempDir Path dir) throws Exception {
        try (TestPostgres db = TestPostgres.schema();
                PackagedNode node = PackagedNode.start("stall", "127.0.0.1", db, dir,
                        "tunnel.server.keepalive.time=1s", "tunnel.server.keepalive.timeout=1s").awaitReady()) {
            List<Long> clientIds = new ArrayList<>();
            List<Agent> agents = new ArrayList<>();
            try {
                for (int i = 0; i < CLIENTS; i++) {
                    JsonNode created = node.json(201, node.send("POST", "/api/v1/clients",
                            "{\"name\":\"site-" + i + "\"}"));
                    clientIds.add(created.get("id").asLong());
                    agents.add(TestAgents.start(node.agentPort(), created.get("token").asString(),
                            Duration.ofSeconds(1)));
                }
                await().atMost(Duration.ofSeconds(20)).until(() -> agents.stream()
                        .allMatch(agent -> agent.metrics().isConnected()));

                node.signal("STOP");
                try {
                    // Every agent finds the silent server dead on its own clock.
                    await().atMost(Duration.ofSeconds(15)).until(() -> agents.stream().allMatch(agent ->
                            agent.metrics().disconnects().getOrDefault(DisconnectCause.KEEPALIVE_TIMEOUT, 0L) >= 1));
                } finally {
                    node.signal("CONT");
                }

                for (long clientId : clientIds) {
                    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                        JsonNode events = body(200, node.get("/api/v1/clients/" + clientId + "/events"))
                                .get("content");
                        assertThat(events).as(node.logText()).isNotEmpty();
                        JsonNode first = events.get(events.size() - 1);
                        assertThat(first.get("cause").asString()).as(node.logText()).isEqualTo("server_stalled");
                        // What ended it: the agent's goodbye, its closed connection, or its new one replacing it.
                        assertThat(first.get("detail").asString()).contains("this server paused")
                                .containsPattern("the session then ended as"
                                        + " (keepalive_timeout|peer_reset|peer_closed|replaced)");
                    });
                }
                JsonNode fleet = body(200, node.get("/api/v1/diagnosis"));
                assertThat(fleet.get("pattern").asString()).as(fleet.toString()).isEqualTo("server_stalled");
                assertThat(fleet.get("clients")).hasSize(CLIENTS);
                assertThat(node.get("/actuator/prometheus").body())
                        .containsPattern("tunnel_process_pauses_total [1-9]")
                        .containsPattern("tunnel_process_pause_last_seconds [1-9]");
                assertThat(node.logText()).contains("this server process paused");
                // The agents, which did not pause, blamed nobody but the silence they saw.
                agents.forEach(agent -> assertThat(agent.metrics().disconnects())
                        .doesNotContainKey(DisconnectCause.AGENT_SUSPENDED));
            } finally {
                agents.forEach(Agent::stop);
            }
        }
    }
}
