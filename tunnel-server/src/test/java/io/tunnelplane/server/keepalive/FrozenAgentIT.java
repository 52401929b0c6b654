package io.tunnelplane.server.keepalive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import static io.tunnelplane.server.support.Json.body;

import io.tunnelplane.protocol.keepalive.KeepaliveRole;
import io.tunnelplane.protocol.keepalive.KeepaliveSettings;
import io.tunnelplane.server.support.FreePorts;
import io.tunnelplane.server.support.LocalService;
import io.tunnelplane.server.support.TestServer;
import io.tunnelplane.server.support.Visitor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The shipped agent jar as its own process: frozen with SIGSTOP it is found dead within the keepalive bound; after
 * SIGCONT it notices its own pause, comes back by itself and reports the pause, so the server's record of those
 * sessions says {@code agent_suspended} and the diagnosis blames no path; SIGTERM stops it cleanly with exit code 0,
 * telling the server on each of its connections.
 */
class FrozenAgentIT {
    private static final Path AGENT_JAR = Path.of("..", "tunnel-agent", "target", "tunnel-agent.jar");

    @Test
    void frozenAgentIsDetectedAndRecovers() throws Exception {
        assertThat(AGENT_JAR).as("built by the reactor before the server's integration tests").exists();
        int publicPort = FreePorts.inRange(10000, 20000);
        try (LocalService echo = new LocalService(LocalService.Mode.ECHO)) {
            Map<String, Object> props = TestServer.defaults();
            props.put("tunnel.server.keepalive.time", "1s");
            props.put("tunnel.server.keepalive.timeout", "1s");
            try (TestServer server = TestServer.start(props)) {
                // A stored client: its sessions are recorded, and corrected, in the connection history.
                JsonNode created = body(201, server.send("POST", "/api/v1/clients", "{\"name\":\"frozen\"}"));
                long clientId = created.get("id").asLong();
                String token = created.get("token").asString();
                body(201, server.send("POST", "/api/v1/clients/" + clientId + "/proxies", "{\"name\":\"echo\","
                        + "\"type\":\"tcp\",\"localHost\":\"127.0.0.1\",\"localPort\":" + echo.port()
                        + ",\"remotePort\":" + publicPort + "}"));
                Path log = Files.createTempFile("agent", ".log");
                ProcessBuilder builder = new ProcessBuilder("java", "-XX:+UseSerialGC", "-Xmx64m", "-jar",
                        AGENT_JAR.toString(), "--server", "127.0.0.1:" + server.agentPort(),
                        "--reconnect-max-delay", "2s", "--connections", "2")
                        .redirectErrorStream(true).redirectOutput(log.toFile());
                builder.environment().put("TUNNEL_TOKEN", token); // secrets via the environment, not argv
                builder.environment().put("TUNNEL_SERVER_PIN", TestServer.KEY_PIN);
                Process agent = builder.start();
                try {
                    Visitor.awaitEcho(publicPort, Duration.ofSeconds(20));
                    signal(agent, "STOP");
                    Duration bound = KeepaliveSettings.of(Duration.ofSeconds(1), Duration.ofSeconds(1))
                            .detectionBound(KeepaliveRole.LEAD).plusSeconds(2);
                    try {
                        // Both connections of the set are frozen with the process: each is found dead on its own.
                        await().atMost(bound).untilAsserted(() -> assertThat(server.get("/actuator/prometheus").body())
                                .containsPattern("tunnel_keepalive_timeouts_total\\{client=\"frozen\",side=\"server\"} 2\\.0"));
                    } finally {
                        signal(agent, "CONT");
                    }
                    Visitor.awaitEcho(publicPort, Duration.ofSeconds(20));
                    // Both connections back, so the clean stop below is told on each.
                    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                            server.get("/actuator/prometheus").body()).contains("tunnel_sessions_active 2.0"));
                    // Each connection reported its pause at login: the server's keepalive_timeouts become the
                    // agent's own suspension, with what the server saw kept in the detail.
                    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                        JsonNode events = body(200, server.get("/api/v1/clients/" + clientId + "/events"))
                                .get("content");
                        assertThat(events).hasSize(2).allSatisfy(e -> {
                            assertThat(e.get("cause").asString()).isEqualTo("agent_suspended");
                            assertThat(e.get("detail").asString()).contains("the agent reported it was paused")
                                    .contains("recorded as keepalive_timeout");
                        });
                    });
                    JsonNode diagnosis = body(200, server.get("/api/v1/clients/" + clientId + "/diagnosis"));
                    assertThat(diagnosis.get("pattern").asString()).as(diagnosis.toString())
                            .isEqualTo("agent_suspended");
                    assertThat(server.get("/actuator/prometheus").body())
                            .contains("tunnel_agent_pauses_total{client=\"frozen\"} 2.0");
                    assertThat(Files.readString(log)).as("the agent's own account")
                            .contains("this agent process paused").contains("cause=agent_suspended");
                } finally {
                    agent.destroy(); // SIGTERM
                    assertThat(agent.waitFor(15, TimeUnit.SECONDS)).isTrue();
                }
                assertThat(agent.exitValue()).as(Files.readString(log)).isZero();
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                        server.get("/actuator/prometheus").body())
                        .containsPattern("tunnel_disconnects_total\\{agent_version=\"[^\"]*\",cause=\"agent_shutdown\"} 2\\.0"));
            }
        }
    }

    private static void signal(Process process, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start();
        assertThat(kill.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

}
