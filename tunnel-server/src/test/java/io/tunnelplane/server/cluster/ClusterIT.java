package io.tunnelplane.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tunnelplane.agent.Agent;
import io.tunnelplane.agent.ServerAddress;
import io.tunnelplane.protocol.DisconnectCause;
import io.tunnelplane.server.support.FreePorts;
import io.tunnelplane.server.support.LocalService;
import io.tunnelplane.server.support.PackagedNode;
import io.tunnelplane.server.support.TestAgents;
import io.tunnelplane.server.support.TestPostgres;
import io.tunnelplane.server.support.Visitor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Two packaged server nodes on one PostgreSQL schema, each on a loopback address of its own, and one agent told
 * only node A's address: it learns the cluster at login (or, for a node that joins later, from node A's push) and
 * keeps a connection to each node, and what is changed through one node holds on both before the API answers.
 */
class ClusterIT {
    private static final String PROXY_DEBUG = "logging.level.io.tunnelplane.proxy=DEBUG";

    @Test
    void aChangeThroughOneNodeHoldsOnBothBeforeTheAnswer(@TempDir Path dir) throws Exception {
        int publicPort = FreePorts.inRange(10000, 20000);
        try (TestPostgres db = TestPostgres.schema();
                LocalService echo = new LocalService(LocalService.Mode.ECHO)) {
            // Node A first: it migrates the schema; B then starts on the migrated one.
            // Debug lines say why a visitor was closed unanswered, should one be (they go into a failure's message).
            try (PackagedNode a = PackagedNode.start("node-a", "127.0.0.2", db, dir, PROXY_DEBUG).awaitReady();
                    PackagedNode b = PackagedNode.start("node-b", "127.0.0.3", db, dir, PROXY_DEBUG).awaitReady()) {
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                        assertThat(a.json(200, a.get("/api/v1/nodes")).findValuesAsString("nodeId"))
                                .containsExactly("node-a", "node-b"));

                JsonNode client = a.json(201, a.send("POST", "/api/v1/clients", "{\"name\":\"office\"}"));
                long clientId = client.get("id").asLong();
                JsonNode proxy = createEchoProxy(a, clientId, "echo", echo.port(), publicPort);
                // The agent is given node A only: it learns node B from the login answer and moves a connection there.
                Agent agent = TestAgents.start(List.of(new ServerAddress(a.host(), a.agentPort())),
                        client.get("token").asText(), Duration.ofSeconds(1), 2);
                try {
                    // A proxy created through node A serves through node B's public address too.
                    try {
                        Visitor.awaitEcho(b.host(), publicPort, Duration.ofSeconds(20));
                        Visitor.awaitEcho(a.host(), publicPort, Duration.ofSeconds(20));
                    } catch (RuntimeException | AssertionError e) {
                        throw new AssertionError(logs(a, b), e);
                    }
                    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                        JsonNode nodes = b.json(200, b.get("/api/v1/nodes"));
                        assertThat(nodes.findValuesAsString("nodeId")).containsExactly("node-a", "node-b");
                        assertThat(nodes.get(0).get("sessions").asInt()).isEqualTo(1);
                        assertThat(nodes.get(1).get("sessions").asInt()).isEqualTo(1);
                        assertThat(nodes.get(1).get("self").asBoolean()).isTrue();
                    });

                    // Either node shows the whole set: its own connection and the other node's.
                    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                        JsonNode live = a.json(200, a.get("/api/v1/clients/" + clientId)).get("live");
                        assertThat(live.get("online").asBoolean()).isTrue();
                        assertThat(live.get("connections").findValuesAsString("node"))
                                .containsExactlyInAnyOrder("node-a", "node-b");
                    });

                    // A PATCH through node B closes the port on both nodes before it answers.
                    JsonNode patched = b.json(200, b.send("PATCH", "/api/v1/proxies/" + proxy.get("id").asLong(),
                            "{\"enabled\":false}"));
                    assertThat(patched.get("nodes").get("node-a").asText()).isEqualTo("applied");
                    assertRefused(a.host(), publicPort);
                    assertRefused(b.host(), publicPort);

                    // Enabled again through A: open on both before the answer.
                    JsonNode enabled = a.json(200, a.send("PATCH", "/api/v1/proxies/" + proxy.get("id").asLong(),
                            "{\"enabled\":true}"));
                    assertThat(enabled.get("nodes").get("node-b").asText()).isEqualTo("applied");
                    assertThat(Visitor.exchange(b.host(), publicPort, "again".getBytes())).isEqualTo("again".getBytes());

                    // The proxy's state per node, on either node's API.
                    long proxyId = proxy.get("id").asLong();
                    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                            b.json(200, b.get("/api/v1/proxies/" + proxyId)).get("nodeStates").toString())
                            .isEqualTo("{\"node-a\":\"listening\",\"node-b\":\"listening\"}"));

                    // A port that node B cannot open (something else holds it there): reported for node B, and the
                    // proxy's state says so per node while node A serves it.
                    int busyOnB = FreePorts.inRange(10000, 20000);
                    try (ServerSocket squatter = new ServerSocket(busyOnB, 50, InetAddress.getByName(b.host()))) {
                        JsonNode second = createEchoProxy(a, clientId, "echo2", echo.port(), busyOnB);
                        assertThat(second.get("nodes").get("node-b").asText()).startsWith("failed");
                        byte[] echoed = Visitor.exchange(a.host(), busyOnB, "a".getBytes());
                        assertThat(echoed).as(() -> "echo through node A\n" + logs(a, b)).isEqualTo("a".getBytes());
                        long secondId = second.get("id").asLong();
                        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                                a.json(200, a.get("/api/v1/proxies/" + secondId)).get("nodeStates").toString())
                                .isEqualTo("{\"node-a\":\"listening\",\"node-b\":\"not_listening\"}"));
                        a.send("DELETE", "/api/v1/proxies/" + secondId, null);
                    }

                    // A kick through A ends the sessions on both nodes.
                    JsonNode kicked = a.json(200, a.send("POST", "/api/v1/clients/" + clientId + "/disconnect", null));
                    assertThat(kicked.get("wasOnline").asBoolean()).isTrue();
                    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                            assertThat(agent.metrics().disconnects()).containsEntry(DisconnectCause.KICKED, 2L));
                    for (PackagedNode node : List.of(a, b)) {
                        assertThat(node.get("/actuator/prometheus").body()).containsPattern(
                                "tunnel_disconnects_total\\{agent_version=\"[^\"]*\",cause=\"kicked\"} 1\\.0");
                    }
                } finally {
                    CompletableFuture.runAsync(agent::stop).join();
                }
            }
        }
    }

    @Test
    void aNodeThatJoinsLaterGetsAConnectionWithoutMovingAWorkingOne(@TempDir Path dir) throws Exception {
        int publicPort = FreePorts.inRange(10000, 20000);
        try (TestPostgres db = TestPostgres.schema();
                LocalService echo = new LocalService(LocalService.Mode.ECHO);
                PackagedNode a = PackagedNode.start("node-a", "127.0.0.2", db, dir).awaitReady()) {
            JsonNode client = a.json(201, a.send("POST", "/api/v1/clients", "{\"name\":\"office\"}"));
            createEchoProxy(a, client.get("id").asLong(), "echo", echo.port(), publicPort);
            Agent agent = TestAgents.start(List.of(new ServerAddress(a.host(), a.agentPort())),
                    client.get("token").asText(), Duration.ofSeconds(1), 2);
            try {
                Visitor.awaitEcho(a.host(), publicPort, Duration.ofSeconds(20));
                await().atMost(Duration.ofSeconds(10)).until(() -> agent.metrics().connections() == 2);

                // Node B joins after the agent's logins: node A tells its agents, and one more connection opens.
                try (PackagedNode b = PackagedNode.start("node-b", "127.0.0.3", db, dir).awaitReady()) {
                    try {
                        Visitor.awaitEcho(b.host(), publicPort, Duration.ofSeconds(20));
                    } catch (RuntimeException | AssertionError e) {
                        throw new AssertionError(logs(a, b), e);
                    }
                    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                        JsonNode nodes = a.json(200, a.get("/api/v1/nodes"));
                        assertThat(nodes.findValuesAsString("nodeId")).containsExactly("node-a", "node-b");
                        assertThat(nodes.get(0).get("sessions").asInt()).isEqualTo(2);
                        assertThat(nodes.get(1).get("sessions").asInt()).isEqualTo(1);
                    });
                    assertThat(agent.metrics().connections()).isEqualTo(3);
                    assertThat(agent.metrics().disconnects()).as("no working connection was moved").isEmpty();
                }
            } finally {
                CompletableFuture.runAsync(agent::stop).join();
            }
        }
    }

    /** Creates a TCP proxy of the client through {@code node}; 201 expected. */
    private static JsonNode createEchoProxy(PackagedNode node, long clientId, String name, int localPort,
            int remotePort) throws Exception {
        return node.json(201, node.send("POST", "/api/v1/clients/" + clientId + "/proxies", "{\"name\":\"" + name
                + "\",\"type\":\"tcp\",\"localHost\":\"127.0.0.1\",\"localPort\":" + localPort
                + ",\"remotePort\":" + remotePort + "}"));
    }

    private static void assertRefused(String host, int port) {
        assertThatThrownBy(() -> Visitor.connect(host, port).close()).as("%s:%d is closed", host, port)
                .isInstanceOf(IOException.class);
    }

    /** Both nodes' logs, for a failure's message. */
    private static String logs(PackagedNode a, PackagedNode b) {
        return "node A:\n" + a.logText() + "\nnode B:\n" + b.logText();
    }
}
