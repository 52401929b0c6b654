package io.tunnelplane.server.accesslog;

import com.sun.net.httpserver.HttpServer;
import io.tunnelplane.agent.Agent;
import io.tunnelplane.server.support.FreePorts;
import io.tunnelplane.server.support.Json;
import io.tunnelplane.server.support.LocalService;
import io.tunnelplane.server.support.TestAgents;
import io.tunnelplane.server.support.TestServer;
import io.tunnelplane.server.support.UdpEcho;
import io.tunnelplane.server.support.Visitor;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static io.tunnelplane.server.support.Json.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import tools.jackson.databind.JsonNode;

/**
 * The access log as the running server writes it, with a real agent: one JSON line per TCP connection, UDP flow and
 * HTTP request (and per refusal), with the visitor's true address, parsed here as JSON; the API returns the same
 * entries; and Debian's fail2ban, with the filter we ship, finds the refused visitor and the failed basic auth in
 * the lines the server wrote.
 */
class AccessLogIT {
    private static final Path FILTER = Path.of("..", "deploy", "fail2ban", "filter.d", "tunnelplane.conf");
    private static final Path FAIL2BAN_REGEX = Path.of("/usr/bin/fail2ban-regex");

    @TempDir
    Path dir;

    @Test
    void everyVisitorLeavesOneJsonLineAndFail2banFindsTheRefusedOnes() throws Exception {
        Path logFile = dir.resolve("access.log");
        HttpServer site = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        site.createContext("/", exchange -> {
            byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        site.start();
        int httpPort = FreePorts.any();
        Map<String, Object> props = TestServer.defaults();
        props.put("tunnel.server.vhost.http-port", httpPort);
        props.put("tunnel.server.access.log-file", logFile.toString());
        try (LocalService echo = new LocalService(LocalService.Mode.ECHO);
                UdpEcho udpEcho = new UdpEcho();
                TestServer server = TestServer.start(props)) {
            JsonNode client = body(201, server.send("POST", "/api/v1/clients", "{\"name\":\"watched\"}"));
            long clientId = client.get("id").asLong();
            int tcpPort = FreePorts.inRange(10000, 20000);
            int deniedPort = FreePorts.inRange(10000, 20000);
            int udpPort = FreePorts.inRange(10000, 20000);
            long tcp = proxy(server, clientId, "{\"name\":\"ssh\",\"type\":\"tcp\",\"localHost\":\"127.0.0.1\","
                    + "\"localPort\":" + echo.port() + ",\"remotePort\":" + tcpPort + "}");
            proxy(server, clientId, "{\"name\":\"closed\",\"type\":\"tcp\",\"localHost\":\"127.0.0.1\",\"localPort\":"
                    + echo.port() + ",\"remotePort\":" + deniedPort + ",\"denyFrom\":[\"127.0.0.1\"]}");
            int quietPort = FreePorts.inRange(10000, 20000);
            long quiet = proxy(server, clientId, "{\"name\":\"quiet\",\"type\":\"tcp\",\"localHost\":\"127.0.0.1\","
                    + "\"localPort\":" + echo.port() + ",\"remotePort\":" + quietPort + ",\"accessLog\":false}");
            proxy(server, clientId, "{\"name\":\"dns\",\"type\":\"udp\",\"localHost\":\"127.0.0.1\",\"localPort\":"
                    + udpEcho.port() + ",\"remotePort\":" + udpPort + "}");
            long web = proxy(server, clientId, "{\"name\":\"site\",\"type\":\"http\",\"localHost\":\"127.0.0.1\","
                    + "\"localPort\":" + site.getAddress().getPort() + ",\"customDomains\":[\"site.example\"],"
                    + "\"httpUser\":\"ops\",\"httpPassword\":\"long-enough-secret\"}");
            Agent agent = TestAgents.start(server.agentPort(), client.get("token").asString(), Duration.ofSeconds(1));
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> server.get("/api/v1/clients/" + clientId
                        + "/proxies").body().split("\"state\":\"listening\"", -1).length == 6);
                assertThat(Visitor.exchange(tcpPort, "ping".getBytes(StandardCharsets.UTF_8))).hasSize(4);
                assertThat(Visitor.exchange(quietPort, "ping".getBytes(StandardCharsets.UTF_8))).hasSize(4);
                try (Socket refused = new Socket("127.0.0.1", deniedPort)) {
                    assertThat(Visitor.refusedWithoutAByte(refused)).isTrue();
                }
                try (DatagramSocket sender = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                    sender.setSoTimeout(5_000);
                    sender.send(new DatagramPacket(new byte[] {1, 2, 3}, 3, new InetSocketAddress("127.0.0.1",
                            udpPort)));
                    sender.receive(new DatagramPacket(new byte[16], 16));
                }
                String auth = Base64.getEncoder().encodeToString("ops:long-enough-secret".getBytes());
                assertThat(get(httpPort, "/hello?secret=1", auth)).startsWith("HTTP/1.1 200");
                assertThat(get(httpPort, "/again", auth)).startsWith("HTTP/1.1 200");
                assertThat(get(httpPort, "/admin", null)).startsWith("HTTP/1.1 401");
            } finally {
                agent.stop(); // ends the UDP flow: its line is written when it ends
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> lines(logFile).stream()
                    .anyMatch(l -> l.get("event").asString().equals("flow")));
            assertThat(body(200, server.get("/api/v1/proxies/" + quiet + "/access"))).as("switched off").isEmpty();
            assertThat(lines(logFile)).noneMatch(l -> l.get("proxy").asString().equals("quiet"));

            List<JsonNode> lines = lines(logFile);
            assertThat(lines).anySatisfy(l -> {
                assertThat(l.get("event").asString()).isEqualTo("connection");
                assertThat(l.get("proxy").asString()).isEqualTo("ssh");
                assertThat(l.get("source").asString()).isEqualTo("127.0.0.1");
                assertThat(l.get("bytesIn").asLong()).isEqualTo(4);
                assertThat(l.get("bytesOut").asLong()).isEqualTo(4);
                assertThat(l.get("outcome").asString()).isIn("closed", "reset");
                assertThat(l.has("durationMs")).isTrue();
            });
            assertThat(lines).anySatisfy(l -> {
                assertThat(l.get("event").asString()).isEqualTo("refused");
                assertThat(l.get("proxy").asString()).isEqualTo("closed");
                assertThat(l.get("outcome").asString()).isEqualTo("source_denied");
            });
            assertThat(lines).anySatisfy(l -> {
                assertThat(l.get("event").asString()).isEqualTo("flow");
                assertThat(l.get("type").asString()).isEqualTo("udp");
                assertThat(l.get("bytesIn").asLong()).isEqualTo(3);
                assertThat(l.get("bytesOut").asLong()).isEqualTo(3);
            });
            List<JsonNode> requests = lines.stream().filter(l -> l.get("event").asString().equals("request")).toList();
            assertThat(requests).extracting(l -> l.get("path").asString() + " " + l.get("status").asInt())
                    .containsExactlyInAnyOrder("/hello 200", "/again 200", "/admin 401");
            assertThat(requests).allSatisfy(l -> {
                assertThat(l.get("method").asString()).isEqualTo("GET");
                assertThat(l.get("host").asString()).isEqualTo("site.example");
                assertThat(l.get("source").asString()).isEqualTo("127.0.0.1");
            });
            assertThat(requests.stream().filter(l -> l.get("status").asInt() == 200))
                    .allSatisfy(l -> assertThat(l.get("responseMs").asLong()).isNotNegative());

            JsonNode kept = body(200, server.get("/api/v1/proxies/" + tcp + "/access?limit=10"));
            assertThat(kept).hasSize(1);
            assertThat(kept.get(0).get("event").asString()).isEqualTo("connection");
            // The site's three requests, and the two connections that carried the admitted ones to the agent.
            assertThat(body(200, server.get("/api/v1/proxies/" + web + "/access")))
                    .extracting(e -> e.get("event").asString())
                    .containsExactlyInAnyOrder("request", "request", "request", "connection", "connection");
            assertThat(body(200, server.get("/api/v1/proxies/" + web + "/access?since=2999-01-01T00:00:00Z")))
                    .isEmpty();
            assertThat(server.get("/api/v1/proxies/" + web + "/access?limit=0").statusCode()).isEqualTo(400);

            Assumptions.assumeTrue(Files.isExecutable(FAIL2BAN_REGEX),
                    "fail2ban is not installed (.ci/run installs it): the filter was not checked");
            Process check = new ProcessBuilder(FAIL2BAN_REGEX.toString(), logFile.toString(),
                    FILTER.toAbsolutePath().toString()).redirectErrorStream(true).start();
            String report = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(check.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(report).as(report).contains(lines.size() + " lines, 0 ignored, 2 matched");
        } finally {
            site.stop(0);
        }
    }

    private static long proxy(TestServer server, long clientId, String json) throws Exception {
        return body(201, server.send("POST", "/api/v1/clients/" + clientId + "/proxies", json)).get("id").asLong();
    }

    private static List<JsonNode> lines(Path file) throws IOException {
        List<JsonNode> parsed = new ArrayList<>();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file)) {
                parsed.add(Json.parse(line));
            }
        }
        return parsed;
    }

    private static String get(int port, String path, String basicAuth) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: site.example\r\nConnection: close\r\n"
                    + (basicAuth == null ? "" : "Authorization: Basic " + basicAuth + "\r\n") + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
