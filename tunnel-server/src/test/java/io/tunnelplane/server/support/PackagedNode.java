package io.tunnelplane.server.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/**
 * The packaged server jar as its own process: one node of a cluster on a loopback address of its own (its agent
 * port, public ports and API bind there), sharing a PostgreSQL schema with the other nodes.
 */
public final class PackagedNode implements AutoCloseable {
    public static final String ADMIN = "cluster-admin";
    private static final Path SERVER_JAR = Path.of("target", "tunnel-server.jar");

    private final String nodeId;
    private final String host;
    private final int httpPort;
    private final int agentPort;
    private final Process process;
    private final Path log;
    private final HttpClient http = HttpClient.newHttpClient();

    private PackagedNode(String nodeId, String host, int httpPort, int agentPort, Process process, Path log) {
        this.nodeId = nodeId;
        this.host = host;
        this.httpPort = httpPort;
        this.agentPort = agentPort;
        this.process = process;
        this.log = log;
    }

    /** Starts a node; {@link #awaitReady()} waits until it serves. {@code extra} are more {@code --key=value}s. */
    public static PackagedNode start(String nodeId, String host, TestPostgres db, Path dir, String... extra)
            throws Exception {
        assertThat(SERVER_JAR).as("packaged before the integration tests").exists();
        int httpPort = FreePorts.any();
        int agentPort = FreePorts.any();
        Path log = dir.resolve(nodeId + ".log");
        List<String> command = new ArrayList<>(List.of("java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-jar", SERVER_JAR.toString(),
                "--server.address=" + host, "--server.port=" + httpPort,
                "--tunnel.server.node-id=" + nodeId, "--tunnel.server.advertise-address=" + host + ":" + agentPort,
                "--tunnel.server.bind-address=" + host, "--tunnel.server.bind-port=" + agentPort,
                "--tunnel.server.proxy-bind-address=" + host, "--tunnel.server.shutdown.drain=2s",
                "--tunnel.server.cluster.heartbeat-interval=500ms", "--tunnel.server.cluster.node-expiry=3s",
                "--spring.datasource.url=" + db.url(), "--spring.datasource.username=" + db.user(),
                "--spring.datasource.password=" + db.password(), "--spring.flyway.schemas=" + db.schemaName(),
                "--tunnel.api.admin-token=" + ADMIN,
                "--tunnel.server.tls.certificate=" + TestServer.CERTIFICATE,
                "--tunnel.server.tls.private-key=" + TestServer.PRIVATE_KEY,
                "--tunnel.server.tls.generated-directory=" + dir.resolve(nodeId + "-tls")));
        command.addAll(List.of(extra));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new PackagedNode(nodeId, host, httpPort, agentPort, process, log);
    }

    public PackagedNode awaitReady() {
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> {
            assertThat(process.isAlive()).as(logText()).isTrue();
            return get("/actuator/health/readiness").statusCode() == 200;
        });
        return this;
    }

    public String nodeId() {
        return nodeId;
    }

    public String host() {
        return host;
    }

    public int agentPort() {
        return agentPort;
    }

    public HttpResponse<String> get(String path) throws Exception {
        return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> send(String method, String path, String json) throws Exception {
        return http.send(request(path).header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The body of a successful answer, parsed; fails with the body when the status differs. */
    public JsonNode json(int status, HttpResponse<String> response) {
        return Json.body(status, response);
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://" + host + ":" + httpPort + path))
                .header("Authorization", "Bearer " + ADMIN).timeout(Duration.ofSeconds(20));
    }

    public String logText() {
        try {
            return Files.readString(log);
        } catch (Exception e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** SIGTERM, then waits for a clean exit. */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return -1;
        }
        return process.exitValue();
    }

    /** SIGKILL: a crash, no goodbye. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }
}
