package io.tunnelplane.server.api;

import static io.tunnelplane.server.api.ControlPlaneFlowIT.body;
import static io.tunnelplane.server.api.ControlPlaneFlowIT.proxyJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tunnelplane.agent.Agent;
import io.tunnelplane.server.support.FreePorts;
import io.tunnelplane.server.support.LocalService;
import io.tunnelplane.server.support.TestAgents;
import io.tunnelplane.server.support.TestServer;
import io.tunnelplane.server.support.Visitor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** A restart on the same database keeps clients, proxies and history; the agent comes back and gets its proxies. */
class RestartOnSameDatabaseIT {

    @Test
    void everythingSurvivesARestart(@TempDir Path dataDir) throws Exception {
        int agentPort = FreePorts.any();
        int publicPort = FreePorts.inRange(10000, 20000);
        Map<String, Object> props = TestServer.defaults();
        props.put("spring.datasource.url", "jdbc:h2:file:" + dataDir.resolve("tunnel"));
        props.put("tunnel.server.bind-port", agentPort);
        try (LocalService echo = new LocalService(LocalService.Mode.ECHO)) {
            long clientId;
            Agent agent;
            try (TestServer first = TestServer.start(props)) {
                JsonNode created = body(201, first.send("POST", "/api/v1/clients", "{\"name\":\"durable\"}"));
                clientId = created.get("id").asLong();
                body(201, first.send("POST", "/api/v1/clients/" + clientId + "/proxies",
                        proxyJson("echo", echo.port(), publicPort)));
                agent = TestAgents.start(agentPort, created.get("token").asString(), Duration.ofSeconds(2));
                Visitor.awaitEcho(publicPort, Duration.ofSeconds(20));
                body(200, first.send("POST", "/api/v1/clients/" + clientId + "/disconnect", null));
                await().atMost(Duration.ofSeconds(10)).until(() -> agent.metrics().sessions() == 2);
                Visitor.awaitEcho(publicPort, Duration.ofSeconds(20));
            }
            try (TestServer second = TestServer.start(props)) {
                JsonNode client = body(200, second.get("/api/v1/clients/" + clientId));
                assertThat(client.get("name").asString()).isEqualTo("durable");
                assertThat(client.at("/proxies/0/remotePort").asInt()).isEqualTo(publicPort);
                JsonNode events = body(200, second.get("/api/v1/clients/" + clientId + "/events"));
                // kicked, then server_shutdown, both written before the first server exited
                assertThat(events.get("content")).extracting(e -> e.get("cause").asString())
                        .containsExactly("server_shutdown", "kicked");
                // A kick and a restart are chosen endings: nothing for the diagnosis to explain, here or fleet-wide.
                assertThat(body(200, second.get("/api/v1/clients/" + clientId + "/diagnosis")).get("pattern")
                        .asString()).isEqualTo("none");
                assertThat(body(200, second.get("/api/v1/diagnosis")).get("pattern").asString()).isEqualTo("none");
                Visitor.awaitEcho(publicPort, Duration.ofSeconds(20));
                assertThat(agent.metrics().sessions()).isEqualTo(3);
            } finally {
                agent.stop();
            }
        }
    }

}
