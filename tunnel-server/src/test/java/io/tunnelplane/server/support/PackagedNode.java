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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    private final Map<String, String> args;
    private final Path dir;
    private final Process process;
    private final Path log;
    private final HttpClient http = HttpClient.newHttpClient();

    private PackagedNode(String nodeId, String host, Map<String, String> args, Path dir, Process process, Path log) {
        this.nodeId = nodeId;
        this.host = host;
        this.args = Map.copyOf(args);
        this.dir = dir;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts a node; {@link #awaitReady()} waits until it serves. {@code settings} are more {@code key=value}s
     * (they override the test defaults).
     */
    public static PackagedNode start(String nodeId, String host, TestPostgres db, Path dir, String... settings)
            throws Exception {
        Map<String, String> args = defaults(nodeId, host, dir);
        args.put("spring.datasource.url", db.url());
        args.put("spring.datasource.username", db.user());
        args.put("spring.datasource.password", db.password());
        args.put("spring.flyway.schemas", db.schemaName());
        return launch(nodeId, host, with(args, settings), dir);
    }

    /** A single node on the embedded default, an H2 file database in {@code dir}, as the README starts it. */
    public static PackagedNode embedded(String nodeId, String host, Path dir, String... settings) throws Exception {
        Map<String, String> args = defaults(nodeId, host, dir);
        args.put("spring.datasource.url", "jdbc:h2:file:" + dir.resolve(nodeId + "-db").toAbsolutePath());
        return launch(nodeId, host, with(args, settings), dir);
    }

    private static Map<String, String> defaults(String nodeId, String host, Path dir) {
        assertThat(SERVER_JAR).as("packaged before the integration tests").exists();
        Map<String, String> args = new LinkedHashMap<>();
        int agentPort = FreePorts.any();
        args.put("server.address", host);
        args.put("server.port", Integer.toString(FreePorts.any()));
        args.put("tunnel.server.node-id", nodeId);
        args.put("tunnel.server.advertise-address", host + ":" + agentPort);
        args.put("tunnel.server.bind-address", host);
        args.put("tunnel.server.bind-port", Integer.toString(agentPort));
        args.put("tunnel.server.proxy-bind-address", host);
        args.put("tunnel.server.shutdown.drain", "2s");
        args.put("tunnel.server.shutdown.lb-grace", "0s");
        args.put("tunnel.server.cluster.heartbeat-interval", "500ms");
        args.put("tunnel.server.cluster.node-expiry", "3s");
        args.put("tunnel.api.admin-token", ADMIN);
        args.put("tunnel.server.tls.certificate", TestServer.CERTIFICATE.toString());
        args.put("tunnel.server.tls.private-key", TestServer.PRIVATE_KEY.toString());
        args.put("tunnel.server.tls.generated-directory", dir.resolve(nodeId + "-tls").toString());
        return args;
    }

    private static Map<String, String> with(Map<String, String> args, String... settings) {
        for (String setting : settings) {
            int eq = setting.indexOf('=');
            args.put(setting.substring(0, eq), setting.substring(eq + 1));
        }
        return args;
    }

    private static PackagedNode launch(String nodeId, String host, Map<String, String> args, Path dir)
            throws Exception {
        List<String> command = new ArrayList<>(List.of("java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-jar", SERVER_JAR.toString()));
        args.forEach((key, value) -> command.add("--" + key + "=" + value));
        Path log = dir.resolve(nodeId + "-" + System.nanoTime() + ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new PackagedNode(nodeId, host, args, dir, process, log);
    }

    /** The same node again (same addresses, ports and settings) after this one has stopped. */
    public PackagedNode restart() throws Exception {
        assertThat(process.isAlive()).as("stopped before it is restarted").isFalse();
        return launch(nodeId, host, args, dir);
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
        return Integer.parseInt(args.get("tunnel.server.bind-port"));
    }

    /** The API and health port. */
    public int httpPort() {
        return Integer.parseInt(args.get("server.port"));
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
        return HttpRequest.newBuilder(URI.create("http://" + host + ":" + httpPort() + path))
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

    /** SIGTERM without waiting: the node goes through its load-balancer grace and drain meanwhile. */
    public void terminate() {
        process.destroy();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Sends {@code signal} ({@code STOP}, {@code CONT}, ...) to the node's process. */
    public void signal(String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start();
        assertThat(kill.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
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
