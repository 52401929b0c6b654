package io.tunnelplane.server.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tunnelplane.agent.Agent;
import io.tunnelplane.protocol.DisconnectCause;
import io.tunnelplane.server.support.FreePorts;
import io.tunnelplane.server.support.Json;
import io.tunnelplane.server.support.LocalService;
import io.tunnelplane.server.support.TestAgents;
import io.tunnelplane.server.support.Visitor;
import io.tunnelplane.server.support.TestServer;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The shipped server jar stopped with SIGTERM: the agent is told (GOAWAY), an in-flight transfer completes within
 * the drain time, the process exits 0 and the session's end is stored as {@code server_shutdown}.
 */
class SigtermIT {
    private static final Path SERVER_JAR = Path.of("target", "tunnel-server.jar");
    private static final String ADMIN = "sigterm-admin";

    @Test
    void sigtermDrainsAndExitsCleanly(@TempDir Path data) throws Exception {
        assertThat(SERVER_JAR).as("packaged before the integration tests").exists();
        int httpPort = FreePorts.any();
        int agentPort = FreePorts.any();
        int publicPort = FreePorts.inRange(10000, 20000);
        String dbUrl = "jdbc:h2:file:" + data.resolve("tunnel");
        Path log = data.resolve("server.log");
        Process server = new ProcessBuilder("java", "-jar", SERVER_JAR.toString(), "--server.port=" + httpPort,
                "--tunnel.server.bind-address=127.0.0.1", "--tunnel.server.bind-port=" + agentPort,
                "--tunnel.server.proxy-bind-address=127.0.0.1", "--tunnel.server.shutdown.drain=15s",
                "--tunnel.server.shutdown.lb-grace=1s",
                "--spring.datasource.url=" + dbUrl, "--tunnel.api.admin-token=" + ADMIN,
                "--tunnel.server.tls.certificate=" + TestServer.CERTIFICATE,
                "--tunnel.server.tls.private-key=" + TestServer.PRIVATE_KEY)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try (LocalService digest = new LocalService(LocalService.Mode.DIGEST)) {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + httpPort;
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> http.send(
                    HttpRequest.newBuilder(URI.create(base + "/actuator/health/readiness")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
            JsonNode client = Json.parse(post(http, base + "/api/v1/clients", "{\"name\":\"term\"}"));
            post(http, base + "/api/v1/clients/" + client.get("id").asLong() + "/proxies",
                    "{\"name\":\"digest\",\"type\":\"tcp\",\"localHost\":\"127.0.0.1\",\"localPort\":" + digest.port()
                            + ",\"remotePort\":" + publicPort + "}");
            Agent agent = TestAgents.start(agentPort, client.get("token").asString(), Duration.ofSeconds(30));
            try {
                await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() ->
                        assertThat(Visitor.exchange(publicPort, new byte[1])).hasSize(64));
                byte[] request = new byte[1 << 20];
                new Random(5).nextBytes(request);
                try (Socket inFlight = Visitor.connect(publicPort)) {
                    inFlight.getOutputStream().write(request, 0, request.length / 2);
                    server.destroy(); // SIGTERM
                    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                            assertThatThrownBy(() -> Visitor.connect(publicPort).close()).isInstanceOf(IOException.class));
                    inFlight.getOutputStream().write(request, request.length / 2, request.length / 2);
                    inFlight.shutdownOutput();
                    assertThat(new String(Visitor.readAll(inFlight.getInputStream()), StandardCharsets.US_ASCII))
                            .isEqualTo(Visitor.sha256(request));
                }
                assertThat(server.waitFor(30, TimeUnit.SECONDS)).as(Files.readString(log)).isTrue();
                assertThat(server.exitValue()).as(Files.readString(log)).isZero();
                assertThat(agent.metrics().disconnects()).containsEntry(DisconnectCause.SERVER_SHUTDOWN, 1L);
            } finally {
                agent.stop();
            }
        } finally {
            server.destroyForcibly();
        }
        assertThat(causes(dbUrl)).contains("server_shutdown");
    }

    private static String post(HttpClient http, String url, String json) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + ADMIN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return response.body();
    }

    private static List<String> causes(String dbUrl) throws Exception {
        List<String> causes = new ArrayList<>();
        try (Connection db = DriverManager.getConnection(dbUrl, "sa", "");
                ResultSet rows = db.createStatement().executeQuery("select cause from connection_event")) {
            while (rows.next()) {
                causes.add(rows.getString(1));
            }
        }
        return causes;
    }
}
