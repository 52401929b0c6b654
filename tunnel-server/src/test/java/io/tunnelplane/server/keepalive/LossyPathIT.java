package io.tunnelplane.server.keepalive;

import static io.tunnelplane.server.support.Json.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tunnelplane.server.support.NetworkNamespace;
import io.tunnelplane.server.support.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Real packet loss: the shipped agent runs in a network namespace whose firewall drops a share of the TCP packets
 * to and from the server, so the kernels retransmit, probes arrive late and sessions die at random ages. The server
 * records the retransmissions it saw while the path still answered, and the diagnosis says {@code lossy_link}
 * (not an idle timer, not a flapping link, although logins fail on such a path too).
 */
class LossyPathIT {
    private static final Path AGENT_JAR = Path.of("..", "tunnel-agent", "target", "tunnel-agent.jar");

    @Test
    void sessionsOnAPathThatLosesPacketsAreDiagnosedAsALossyLink() throws Exception {
        try (NetworkNamespace ns = NetworkNamespace.create()) {
            Map<String, Object> props = TestServer.defaults();
            props.put("tunnel.server.bind-address", ns.hostAddress());
            props.put("tunnel.server.keepalive.min-time", "100ms");
            try (TestServer server = TestServer.start(props)) {
                JsonNode created = body(201, server.send("POST", "/api/v1/clients", "{\"name\":\"lossy\"}"));
                long clientId = created.get("id").asLong();
                // Losses start once a connection carried its login: each drop is then a session that ran, and a CI
                // machine sees as many of them as this one (with the handshake lossy too, logins took up to a minute).
                ns.dropRandomly(0.4, 40);
                Path log = Files.createTempFile("lossy-agent", ".log");
                List<String> command = new ArrayList<>(ns.command("java", "-XX:+UseSerialGC", "-Xmx64m", "-jar",
                        AGENT_JAR.toString(), "--server", ns.hostAddress() + ":" + server.agentPort(),
                        "--connections", "1", "--keepalive-time", "500ms", "--keepalive-timeout", "1s",
                        "--reconnect-max-delay", "1s"));
                ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(log.toFile());
                builder.environment().put("TUNNEL_TOKEN", created.get("token").asString());
                builder.environment().put("TUNNEL_SERVER_PIN", TestServer.KEY_PIN);
                Process agent = builder.start();
                try {
                    // Drops come at random; as they add up, the evidence settles on a lossy link.
                    await().atMost(Duration.ofSeconds(150)).untilAsserted(() -> {
                        JsonNode events = body(200, server.get("/api/v1/clients/" + clientId + "/events"))
                                .get("content");
                        assertThat(events).as(Files.readString(log)).hasSizeGreaterThanOrEqualTo(3)
                                .anySatisfy(e -> assertThat(e.get("retransmits").asLong()).isPositive());
                        JsonNode diagnosis = body(200, server.get("/api/v1/clients/" + clientId + "/diagnosis"));
                        assertThat(diagnosis.get("pattern").asString()).as(diagnosis.toString())
                                .isEqualTo("lossy_link");
                        assertThat(diagnosis.toString()).contains("segments retransmitted");
                    });
                } finally {
                    agent.destroy();
                    assertThat(agent.waitFor(15, TimeUnit.SECONDS)).isTrue();
                }
            }
        }
    }
}
