package io.tunnelplane.server.bandwidth;

import io.tunnelplane.agent.Agent;
import io.tunnelplane.server.support.FreePorts;
import io.tunnelplane.server.support.LocalService;
import io.tunnelplane.server.support.TestAgents;
import io.tunnelplane.server.support.TestServer;
import io.tunnelplane.server.support.Visitor;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import static io.tunnelplane.server.support.Json.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import tools.jackson.databind.JsonNode;

/**
 * A client's monthly traffic quota with the running server and a real agent: once the shared monthly total passes
 * it, new visitors are refused (reset, counted, logged, shown in the API and metrics); raising or lifting it admits
 * them again.
 */
class MonthlyQuotaIT {

    @Test
    void aClientOverItsMonthlyQuotaHasItsNewVisitorsRefusedUntilTheQuotaIsLifted() throws Exception {
        Map<String, Object> props = TestServer.defaults();
        props.put("tunnel.server.access.quota-interval", "1s");
        try (LocalService echo = new LocalService(LocalService.Mode.ECHO);
                TestServer server = TestServer.start(props)) {
            JsonNode client = body(201, server.send("POST", "/api/v1/clients",
                    "{\"name\":\"metered\",\"monthlyQuota\":1000000}"));
            long clientId = client.get("id").asLong();
            int port = FreePorts.inRange(10000, 20000);
            long proxy = body(201, server.send("POST", "/api/v1/clients/" + clientId + "/proxies", "{\"name\":\"ssh\","
                    + "\"type\":\"tcp\",\"localHost\":\"127.0.0.1\",\"localPort\":" + echo.port() + ",\"remotePort\":"
                    + port + "}")).get("id").asLong();
            Agent agent = TestAgents.start(server.agentPort(), client.get("token").asString(), Duration.ofSeconds(1));
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> body(200, server.get("/api/v1/proxies/" + proxy))
                        .get("state").asString().equals("listening"));
                assertThat(Visitor.exchange(port, new byte[600_000])).hasSize(600_000); // 1.2 MB both ways

                // The engine samples every 10 s and adds to the shared total every second here.
                await().atMost(Duration.ofSeconds(30)).until(() -> body(200, server.get("/api/v1/clients/" + clientId))
                        .get("quotaExceeded").asBoolean());
                JsonNode detail = body(200, server.get("/api/v1/clients/" + clientId));
                assertThat(detail.get("trafficThisMonth").asLong()).isGreaterThanOrEqualTo(1_200_000);
                assertThat(detail.get("monthlyQuota").asLong()).isEqualTo(1_000_000);
                await().atMost(Duration.ofSeconds(10)).until(() -> refusedAtOnce(port));
                assertThat(server.get("/actuator/prometheus").body()).contains("tunnel_clients_over_quota 1.0")
                        .containsPattern("tunnel_connections_refused_total\\{reason=\"quota_exceeded\"} [1-9]");
                assertThat(body(200, server.get("/api/v1/proxies/" + proxy + "/access"))).anySatisfy(e ->
                        assertThat(e.get("outcome").asString()).isEqualTo("quota_exceeded"));

                body(200, server.send("PATCH", "/api/v1/clients/" + clientId, "{\"monthlyQuota\":0}"));
                await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> new String(Visitor.exchange(port,
                        "back".getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8).equals("back"));
                assertThat(body(200, server.get("/api/v1/clients/" + clientId)).get("quotaExceeded").asBoolean())
                        .isFalse();
            } finally {
                agent.stop();
            }
        }
    }

    /**
     * Whether a new visitor that sends a byte is reset without one back (refused), rather than echoed. The reset may
     * come before the byte is written: that is the same refusal, seen sooner.
     */
    private static boolean refusedAtOnce(int port) throws IOException {
        try (Socket visitor = new Socket("127.0.0.1", port)) {
            try {
                visitor.getOutputStream().write(1);
            } catch (SocketException resetBeforeTheByte) {
                return true;
            }
            return Visitor.refusedWithoutAByte(visitor);
        }
    }
}
