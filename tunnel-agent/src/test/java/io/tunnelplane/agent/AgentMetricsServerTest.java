package io.tunnelplane.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.tunnelplane.protocol.DisconnectCause;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class AgentMetricsServerTest {
    @Test
    void servesTheAgentsViewInPrometheusFormat() throws Exception {
        AgentMetrics metrics = new AgentMetrics(1);
        metrics.connected();
        metrics.rtt(1_500_000);
        metrics.disconnected(DisconnectCause.KEEPALIVE_TIMEOUT);
        metrics.connected();
        try (AgentMetricsServer server = AgentMetricsServer.start("127.0.0.1", 0, metrics)) {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("text/plain"));
            assertThat(response.body())
                    .contains("tunnel_agent_connected 1.0")
                    .contains("tunnel_agent_sessions_total 2")
                    .contains("tunnel_agent_heartbeat_rtt_seconds 0.0015")
                    .contains("tunnel_agent_disconnects_total{cause=\"keepalive_timeout\"} 1");
        }
    }
}
