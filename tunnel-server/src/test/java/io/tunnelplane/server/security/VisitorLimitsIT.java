package io.tunnelplane.server.security;

import static io.tunnelplane.server.support.Json.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tunnelplane.agent.Agent;
import io.tunnelplane.server.support.FreePorts;
import io.tunnelplane.server.support.LocalService;
import io.tunnelplane.server.support.TestAgents;
import io.tunnelplane.server.support.TestServer;
import io.tunnelplane.server.support.Visitor;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Per-proxy, per-session and per-client limits refuse clearly and count, without touching what is admitted. */
class VisitorLimitsIT {

    @Test
    void visitorsBeyondAProxysLimitAreResetAndCountedWhileAdmittedOnesKeepWorking() throws Exception {
        int publicPort = FreePorts.inRange(10000, 20000);
        try (LocalService echo = new LocalService(LocalService.Mode.ECHO)) {
            Map<String, Object> props = TestServer.defaults();
            props.put("tunnel.server.limits.max-connections-per-proxy", 2);
            TestServer.client(props, "capped", "capped.secret");
            TestServer.proxy(props, 0, "echo", echo.port(), publicPort);
            try (TestServer server = TestServer.start(props)) {
                Agent agent = TestAgents.start(server.agentPort(), "capped.secret", Duration.ofSeconds(1));
                try {
                    Visitor.awaitEcho(publicPort, Duration.ofSeconds(10));
                    try (Socket first = Visitor.connect(publicPort); Socket second = Visitor.connect(publicPort)) {
                        echoes(first);
                        echoes(second);
                        try (Socket third = Visitor.connect(publicPort)) {
                            assertThat(Visitor.endsWithoutHanging(third.getInputStream())).isTrue();
                        }
                        assertThat(server.get("/actuator/prometheus").body()).containsPattern(
                                "tunnel_connections_refused_total\\{reason=\"max_connections_per_proxy\"} 1\\.0");
                        echoes(first);
                        echoes(second);
                    }
                    // Once they are gone there is room again.
                    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                        try (Socket again = Visitor.connect(publicPort)) {
                            echoes(again);
                        }
                    });
                } finally {
                    agent.stop();
                }
            }
        }
    }

    @Test
    void aClientCannotHaveMoreProxiesThanTheLimit() throws Exception {
        Map<String, Object> props = TestServer.defaults();
        props.put("tunnel.api.max-proxies-per-client", 2);
        try (TestServer server = TestServer.start(props)) {
            long id = body(201, server.send("POST", "/api/v1/clients", "{\"name\":\"greedy\"}")).get("id").asLong();
            for (int i = 0; i < 2; i++) {
                body(201, server.send("POST", "/api/v1/clients/" + id + "/proxies", proxy("p" + i)));
            }
            JsonNode refused = body(422, server.send("POST", "/api/v1/clients/" + id + "/proxies", proxy("p2")));
            assertThat(refused.get("detail").asString()).contains("tunnel.api.max-proxies-per-client");
            assertThat(refused.at("/errors/0/field").asString()).isEqualTo("name");
            assertThat(body(200, server.get("/api/v1/clients/" + id + "/proxies"))).hasSize(2);
        }
    }

    private static String proxy(String name) {
        return "{\"name\":\"" + name + "\",\"type\":\"tcp\",\"localHost\":\"127.0.0.1\",\"localPort\":8080,"
                + "\"remotePort\":" + FreePorts.inRange(10000, 20000) + ",\"enabled\":false}";
    }

    private static void echoes(Socket socket) throws Exception {
        socket.getOutputStream().write("ping\n".getBytes());
        InputStream in = socket.getInputStream();
        byte[] answer = in.readNBytes(5);
        assertThat(new String(answer)).isEqualTo("ping\n");
    }
}
