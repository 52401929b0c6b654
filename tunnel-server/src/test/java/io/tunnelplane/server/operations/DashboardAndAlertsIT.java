package io.tunnelplane.server.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.tunnelplane.agent.Agent;
import io.tunnelplane.agent.ExitCode;
import io.tunnelplane.server.support.FaultyLink;
import io.tunnelplane.server.support.FreePorts;
import io.tunnelplane.server.support.Json;
import io.tunnelplane.server.support.LocalService;
import io.tunnelplane.server.support.TestAgents;
import io.tunnelplane.server.support.TestServer;
import io.tunnelplane.server.support.Visitor;
import io.tunnelplane.server.vhost.VirtualHostServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Every metric the Grafana dashboard and the Prometheus alert rules query is one the server really exports: the
 * test drives a server through the events that create them (a session, traffic, RTT samples, a refused login, a
 * keepalive timeout and a reconnect, a request through a virtual host, a UDP proxy), scrapes it, and looks for each
 * name.
 */
class DashboardAndAlertsIT {
    private static final Path DEPLOY = Path.of("..", "deploy");
    private static final Pattern METRIC = Pattern.compile("\\b((?:tunnel|jvm|process)_[a-z0-9_]+)\\b");

    @Test
    void everyQueriedMetricIsExported() throws Exception {
        Set<String> queried = new TreeSet<>();
        JsonNode dashboard = Json.parse(Files.readString(DEPLOY.resolve("grafana/dashboards/tunnelplane.json")));
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                metrics(target.get("expr").asString(), queried);
            }
        }
        int fromDashboard = queried.size();
        metrics(Files.readString(DEPLOY.resolve("prometheus/alerts.yml")), queried);
        assertThat(fromDashboard).isGreaterThan(8);

        int publicPort = FreePorts.inRange(10000, 20000);
        Map<String, Object> props = TestServer.defaults();
        props.put("tunnel.server.keepalive.time", "1s");
        props.put("tunnel.server.keepalive.timeout", "1s");
        props.put("tunnel.server.vhost.http-port", FreePorts.any());
        TestServer.client(props, "ops", "ops.secret");
        HttpServer site = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        site.createContext("/", exchange -> {
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        site.start();
        try (LocalService echo = new LocalService(LocalService.Mode.ECHO)) {
            TestServer.proxy(props, 0, "echo", echo.port(), publicPort);
            TestServer.proxy(props, 1, "dns", echo.port(), FreePorts.inRange(10000, 20000));
            props.put("tunnel.server.clients[0].proxies[1].type", "udp");
            try (TestServer server = TestServer.start(props); FaultyLink link = new FaultyLink(server.agentPort())) {
                Agent agent = TestAgents.start(link.port(), "ops.secret", Duration.ofSeconds(1));
                Agent web = webSite(server, site.getAddress().getPort());
                try {
                    Visitor.awaitEcho(publicPort, Duration.ofSeconds(20));
                    int vhost = server.bean(VirtualHostServer.class).httpPort();
                    await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() ->
                            assertThat(get(vhost, "site.example.test")).startsWith("HTTP/1.1 204"));
                    Agent refused = new Agent(TestAgents.settings(server.agentPort(), "ops.wrong", Duration.ofSeconds(1)));
                    assertThat(refused.start().get(20, TimeUnit.SECONDS)).isEqualTo(ExitCode.AUTH_REFUSED);
                    // Both sides probe an idle session after 1 s; wait for the server's own RTT sample.
                    await().atMost(Duration.ofSeconds(10)).until(() -> server.get("/actuator/prometheus").body()
                            .contains("tunnel_heartbeat_rtt_seconds_bucket{"));
                    link.blackhole(); // keepalive timeout, then a reconnect through a fresh connection
                    await().atMost(Duration.ofSeconds(20)).until(() -> agent.metrics().sessions() >= 2);
                    Visitor.awaitEcho(publicPort, Duration.ofSeconds(20));

                    String scrape = server.get("/actuator/prometheus").body();
                    for (String name : queried) {
                        assertThat(scrape).as("the server exports " + name)
                                .containsPattern("(?m)^" + Pattern.quote(name) + "[{ ]");
                    }
                } finally {
                    agent.stop();
                    web.stop();
                }
            }
        } finally {
            site.stop(0);
        }
    }

    /** An API-managed client serving {@code site.example.test} through the shared HTTP port, connected. */
    private static Agent webSite(TestServer server, int localPort) throws Exception {
        JsonNode client = Json.body(201, server.send("POST", "/api/v1/clients", "{\"name\":\"web\"}"));
        Json.body(201, server.send("POST", "/api/v1/clients/" + client.get("id").asLong() + "/proxies",
                "{\"name\":\"site\",\"type\":\"http\",\"localHost\":\"127.0.0.1\",\"localPort\":" + localPort
                        + ",\"customDomains\":[\"site.example.test\"]}"));
        return TestAgents.start(server.agentPort(), client.get("token").asString(), Duration.ofSeconds(1));
    }

    private static String get(int port, String host) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    private static void metrics(String expression, Set<String> into) {
        Matcher m = METRIC.matcher(expression);
        while (m.find()) {
            into.add(m.group(1));
        }
    }
}
