package io.tunnelplane.server.cluster;

import static io.tunnelplane.server.support.Json.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tunnelplane.agent.Agent;
import io.tunnelplane.server.support.TestAgents;
import io.tunnelplane.server.support.TestServer;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** A node's presence on the embedded database: it lists itself with its sessions, and H2 holds one node only. */
class NodePresenceIT {

    @Test
    void aNodeListsItselfWithItsSessionsAndLeavesOnShutdown() throws Exception {
        Map<String, Object> props = TestServer.defaults();
        props.put("tunnel.server.node-id", "node-a");
        props.put("tunnel.server.advertise-address", "127.0.0.1:7000");
        props.put("tunnel.server.cluster.heartbeat-interval", "200ms");
        props.put("tunnel.server.cluster.node-expiry", "2s");
        TestServer.client(props, "office", "office.secret");
        try (TestServer server = TestServer.start(props)) {
            JsonNode nodes = body(200, server.get("/api/v1/nodes"));
            assertThat(nodes).hasSize(1);
            assertThat(nodes.get(0).get("nodeId").asText()).isEqualTo("node-a");
            assertThat(nodes.get(0).get("advertiseAddress").asText()).isEqualTo("127.0.0.1:7000");
            assertThat(nodes.get(0).get("self").asBoolean()).isTrue();
            assertThat(nodes.get(0).get("sessions").asInt()).isZero();

            Agent agent = TestAgents.start(server.agentPort(), "office.secret", Duration.ofSeconds(1), 2);
            try {
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    JsonNode node = body(200, server.get("/api/v1/nodes")).get(0);
                    assertThat(node.get("sessions").asInt()).isEqualTo(2);
                    assertThat(node.get("heartbeatAgeMillis").asLong()).isLessThan(2_000);
                });
            } finally {
                agent.stop();
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(body(200, server.get("/api/v1/nodes")).get(0).get("sessions").asInt()).isZero());
        }
    }

    @Test
    void aSecondNodeOnTheSameH2DatabaseIsRefusedAtStartupWithTheReason() {
        String url = "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        Map<String, Object> first = TestServer.defaults();
        first.put("spring.datasource.url", url);
        first.put("tunnel.server.node-id", "node-a");
        try (TestServer a = TestServer.start(first)) {
            Map<String, Object> second = TestServer.defaults();
            second.put("spring.datasource.url", url);
            second.put("tunnel.server.node-id", "node-b");
            assertThatThrownBy(() -> TestServer.start(second).close())
                    .rootCause().hasMessageContaining("node node-a is already running")
                    .hasMessageContaining("H2 is the single-node default").hasMessageContaining("PostgreSQL");
            assertThat(a.get("/api/v1/nodes").body()).contains("node-a").doesNotContain("node-b");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
