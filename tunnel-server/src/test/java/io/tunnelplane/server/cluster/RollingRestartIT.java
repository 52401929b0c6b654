package io.tunnelplane.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.tunnelplane.agent.Agent;
import io.tunnelplane.agent.ServerAddress;
import io.tunnelplane.server.support.FreePorts;
import io.tunnelplane.server.support.LocalService;
import io.tunnelplane.server.support.PackagedNode;
import io.tunnelplane.server.support.TestAgents;
import io.tunnelplane.server.support.TestPostgres;
import io.tunnelplane.server.support.Visitor;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Two packaged nodes on one PostgreSQL behind the shipped HAProxy configuration ({@code deploy/haproxy}), with
 * visitors arriving continuously at a public TCP port and at the HTTP virtual-host port: restarting node A, then
 * node B, fails no request; killing node A fails at most the requests in flight on it, and its presence expires.
 */
class RollingRestartIT {
    private static final Path HAPROXY_CONFIG = Path.of("..", "deploy", "haproxy", "haproxy.cfg");
    private static final String LB = "127.0.0.1";
    private static final int WORKERS = 4;

    @Test
    void rollingRestartFailsNoRequestAndACrashOnlyThoseInFlight(@TempDir Path dir) throws Exception {
        int publicPort = FreePorts.inRange(10000, 20000);
        int vhostPort = FreePorts.any();
        HttpServer site = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        site.createContext("/", exchange -> {
            byte[] body = "hello from the site".getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        site.start();
        // The proxy logger's debug lines say why a visitor was closed unanswered, for a failure's message.
        String[] nodeSettings = {"tunnel.server.shutdown.lb-grace=3s", "tunnel.server.shutdown.drain=5s",
                "tunnel.server.vhost.http-port=" + vhostPort, "logging.level.io.tunnelplane.proxy=DEBUG"};
        try (TestPostgres db = TestPostgres.schema(); LocalService echo = new LocalService(LocalService.Mode.ECHO)) {
            PackagedNode a = PackagedNode.start("node-a", "127.0.0.2", db, dir, nodeSettings).awaitReady();
            PackagedNode b = PackagedNode.start("node-b", "127.0.0.3", db, dir, nodeSettings).awaitReady();
            Process haproxy = null;
            Agent agent = null;
            Load load = null;
            try {
                JsonNode client = a.json(201, a.send("POST", "/api/v1/clients", "{\"name\":\"shop\"}"));
                long clientId = client.get("id").asLong();
                a.json(201, a.send("POST", "/api/v1/clients/" + clientId + "/proxies", "{\"name\":\"echo\","
                        + "\"type\":\"tcp\",\"localHost\":\"127.0.0.1\",\"localPort\":" + echo.port()
                        + ",\"remotePort\":" + publicPort + "}"));
                a.json(201, a.send("POST", "/api/v1/clients/" + clientId + "/proxies", "{\"name\":\"site\","
                        + "\"type\":\"http\",\"localHost\":\"127.0.0.1\",\"localPort\":" + site.getAddress().getPort()
                        + ",\"customDomains\":[\"shop.test\"]}"));
                agent = TestAgents.start(List.of(new ServerAddress(a.host(), a.agentPort()),
                        new ServerAddress(b.host(), b.agentPort())), client.get("token").asText(),
                        Duration.ofSeconds(1), 2);
                for (PackagedNode node : List.of(a, b)) {
                    Visitor.awaitEcho(node.host(), publicPort, Duration.ofSeconds(20));
                    await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() ->
                            httpGet(node.host(), vhostPort).contains("hello from the site"));
                }

                haproxy = startHaproxy(dir, a, b, publicPort, vhostPort);
                Visitor.awaitEcho(LB, publicPort, Duration.ofSeconds(20));
                await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() ->
                        httpGet(LB, vhostPort).contains("hello from the site"));

                load = new Load(publicPort, vhostPort);
                load.awaitRequests(200);
                a = restart(a);
                load.awaitRequests(load.total() + 200);
                b = restart(b);
                load.awaitRequests(load.total() + 200);
                Load.Result rolling = load.stop();
                System.out.println("rolling restart under load: " + rolling);
                Path haproxyLog = dir.resolve("haproxy.log");
                System.out.println("HAProxy's abnormal connections during the rolling restart:\n" + abnormal(haproxyLog));
                assertThat(rolling.failures()).as(() -> "failed requests during the rolling restart (at "
                        + rolling.failedAtWallClock() + "); HAProxy's connections that did not end normally:\n"
                        + abnormal(haproxyLog) + "\nthe nodes' lines other than normal ends:\n" + unusual(dir))
                        .isEmpty();

                // Crash: SIGKILL node A under the same load.
                load = new Load(publicPort, vhostPort);
                load.awaitRequests(200);
                long killedAt = System.nanoTime();
                a.kill();
                PackagedNode survivor = b;
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                        assertThat(survivor.json(200, survivor.get("/api/v1/nodes")).findValuesAsString("nodeId"))
                                .containsExactly("node-b"));
                long presenceGoneMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
                load.awaitRequests(load.total() + 200);
                Load.Result crash = load.stop();
                System.out.println("kill -9 node A under load: " + crash + ", A's presence gone after "
                        + presenceGoneMillis + "ms");
                // In flight on A: a request it was serving, and at most one more per worker that A's kernel still
                // accepted while the killed process was being torn down (seen once in 2026-12 on a loaded machine).
                assertThat(crash.failures().size()).as("only requests in flight on A may fail: %s", crash.failures())
                        .isLessThanOrEqualTo(2 * WORKERS);
                for (long failedAtNanos : crash.failedAtNanos()) {
                    // HAProxy's check interval x fall (1 s) + 1 s: later failures would be the service still down.
                    assertThat(TimeUnit.NANOSECONDS.toMillis(failedAtNanos - killedAt)).isLessThan(2_000);
                }
                assertThat(presenceGoneMillis).as("node-expiry 3s + heartbeat 0.5s + one poll")
                        .isLessThan(3_000 + 500 + 1_500);
            } finally {
                if (load != null) {
                    load.stop();
                }
                if (agent != null) {
                    agent.stop();
                }
                if (haproxy != null) {
                    haproxy.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
                a.close();
                b.close();
                site.stop(0);
            }
        }
    }

    /** SIGTERM under load, then the same node again; returns once the new one is ready (its agents are back). */
    private static PackagedNode restart(PackagedNode node) throws Exception {
        node.terminate();
        await().atMost(Duration.ofSeconds(30)).until(() -> !node.isAlive());
        assertThat(node.stop()).as(node.logText()).isZero();
        return node.restart().awaitReady();
    }

    private static Process startHaproxy(Path dir, PackagedNode a, PackagedNode b, int publicPort, int vhostPort)
            throws Exception {
        ProcessBuilder builder = new ProcessBuilder("haproxy", "-db", "-f", HAPROXY_CONFIG.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.log").toFile());
        Map<String, String> env = builder.environment();
        env.put("LISTEN_ADDR", LB);
        env.put("NODE_A_ADDR", a.host());
        env.put("NODE_B_ADDR", b.host());
        env.put("NODE_A_HEALTH", Integer.toString(a.httpPort()));
        env.put("NODE_B_HEALTH", Integer.toString(b.httpPort()));
        env.put("PUBLIC_PORT", Integer.toString(publicPort));
        env.put("VHOST_HTTP_PORT", Integer.toString(vhostPort));
        return builder.start();
    }

    /** HAProxy's tcplog lines whose termination state is not "--" (a normal end), for a failure's message. */
    private static String abnormal(Path haproxyLog) {
        try {
            return Files.readAllLines(haproxyLog).stream().filter(line -> line.contains("[") && !line.contains(" -- "))
                    .limit(50).collect(java.util.stream.Collectors.joining("\n"));
        } catch (IOException e) {
            return "(no HAProxy log: " + e.getMessage() + ")";
        }
    }

    /** The nodes' log lines from the moment they stopped, leaving out the access log's normal ends. */
    private static String unusual(Path dir) {
        try (var logs = Files.list(dir)) {
            StringBuilder out = new StringBuilder();
            for (Path log : logs.filter(f -> f.getFileName().toString().startsWith("node-")).sorted().toList()) {
                List<String> lines = Files.readAllLines(log);
                int stopping = 0;
                while (stopping < lines.size() && !lines.get(stopping).contains("tunnel engine stopping")) {
                    stopping++;
                }
                out.append("== ").append(log.getFileName()).append('\n');
                lines.subList(Math.max(0, stopping - 1), lines.size()).stream()
                        .filter(line -> !line.contains("\"outcome\":\"closed\"") && !line.contains("\"status\":200"))
                        .limit(80).forEach(line -> out.append(line).append('\n'));
            }
            return out.toString();
        } catch (IOException e) {
            return "(no node logs: " + e.getMessage() + ")";
        }
    }

    private static String httpGet(String host, int port) throws Exception {
        try (Socket socket = new Socket(host, port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET / HTTP/1.1\r\nHost: shop.test\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    /** Visitors through HAProxy, half at the TCP port (echo) and half at the virtual host (GET), back to back. */
    private static final class Load {
        private final ExecutorService workers = Executors.newFixedThreadPool(WORKERS);
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger total = new AtomicInteger();
        private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        private final ConcurrentLinkedQueue<Long> failedAt = new ConcurrentLinkedQueue<>();
        private final ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        private final CountDownLatch finished = new CountDownLatch(WORKERS);

        Load(int publicPort, int vhostPort) {
            for (int w = 0; w < WORKERS; w++) {
                boolean http = w % 2 == 1;
                workers.execute(() -> {
                    try {
                        while (running.get()) {
                            long start = System.nanoTime();
                            String error = http ? get(vhostPort) : echo(publicPort);
                            long end = System.nanoTime();
                            total.incrementAndGet();
                            if (error == null) {
                                latencies.add(end - start);
                            } else {
                                failures.add((http ? "http: " : "tcp: ") + error);
                                failedAt.add(end);
                            }
                        }
                    } finally {
                        finished.countDown();
                    }
                });
            }
        }

        private static String echo(int port) {
            byte[] payload = ("visitor-" + System.nanoTime()).getBytes(StandardCharsets.US_ASCII);
            try (Socket socket = new Socket(LB, port)) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(payload);
                socket.shutdownOutput();
                InputStream in = socket.getInputStream();
                byte[] back = in.readAllBytes();
                return Arrays.equals(back, payload) ? null : "echo answered " + back.length + " bytes";
            } catch (Exception e) {
                return e.toString();
            }
        }

        private static String get(int port) {
            try {
                String response = httpGet(LB, port);
                return response.startsWith("HTTP/1.1 200") && response.contains("hello from the site") ? null
                        : "answered " + response.lines().findFirst().orElse("nothing");
            } catch (Exception e) {
                return e.toString();
            }
        }

        int total() {
            return total.get();
        }

        void awaitRequests(int atLeast) {
            await().atMost(Duration.ofSeconds(60)).until(() -> total.get() >= atLeast);
        }

        Result stop() throws InterruptedException {
            running.set(false);
            finished.await(30, TimeUnit.SECONDS);
            workers.shutdownNow();
            List<Long> sorted = new ArrayList<>(latencies);
            sorted.sort(null);
            return new Result(total.get(), List.copyOf(failures), List.copyOf(failedAt), sorted);
        }

        record Result(int requests, List<String> failures, List<Long> failedAtNanos, List<Long> latencies) {
            /** When each failure happened by the clock the nodes' and HAProxy's logs use. */
            List<Instant> failedAtWallClock() {
                long nowNanos = System.nanoTime();
                Instant now = Instant.now();
                return failedAtNanos.stream().map(at -> now.minusNanos(nowNanos - at)).toList();
            }

            private double percentileMillis(double p) {
                return latencies.isEmpty() ? 0 : latencies.get((int) Math.min(latencies.size() - 1,
                        Math.floor(p * latencies.size()))) / 1e6;
            }

            @Override
            public String toString() {
                return String.format("%d requests, %d failed %s, latency p50 %.2f ms, p99 %.2f ms, max %.2f ms",
                        requests, failures.size(), failures, percentileMillis(0.5), percentileMillis(0.99),
                        percentileMillis(1.0));
            }
        }
    }
}
