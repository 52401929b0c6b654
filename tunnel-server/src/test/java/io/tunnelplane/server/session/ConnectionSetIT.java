package io.tunnelplane.server.session;

import static io.tunnelplane.server.support.Json.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tunnelplane.agent.Agent;
import io.tunnelplane.protocol.DisconnectCause;
import io.tunnelplane.server.support.FaultyLink;
import io.tunnelplane.server.support.FreePorts;
import io.tunnelplane.server.support.LocalService;
import io.tunnelplane.server.support.TestAgents;
import io.tunnelplane.server.support.TestServer;
import io.tunnelplane.server.support.Visitor;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * An agent with a connection set of two, on real sockets: visitors spread over both sessions, and one connection
 * blackholed (no FIN, no RST) does not black the service out: new visitors go to the healthy sibling once the
 * broken one's probe is overdue, long before its keepalive timeout ends it.
 */
class ConnectionSetIT {
    private static final int VISITORS = 200;

    @Test
    void visitorsSpreadOverTheSetAndABlackholedConnectionDoesNotBlackTheServiceOut() throws Exception {
        int publicPort = FreePorts.inRange(10000, 20000);
        Map<String, Object> props = TestServer.defaults();
        // Probe after 0.5 s of silence, give up after 5 s: "overdue" comes ten times sooner than the timeout.
        props.put("tunnel.server.keepalive.time", "500ms");
        props.put("tunnel.server.keepalive.timeout", "5s");
        props.put("tunnel.server.keepalive.min-time", "100ms");
        ExecutorService pool = Executors.newFixedThreadPool(VISITORS);
        try (LocalService echo = new LocalService(LocalService.Mode.ECHO);
                TestServer server = TestServer.start(props);
                FaultyLink link = new FaultyLink(server.agentPort())) {
            JsonNode created = body(201, server.send("POST", "/api/v1/clients", "{\"name\":\"pair\"}"));
            long clientId = created.get("id").asLong();
            body(201, server.send("POST", "/api/v1/clients/" + clientId + "/proxies", "{\"name\":\"echo\",\"type\":"
                    + "\"tcp\",\"localHost\":\"127.0.0.1\",\"localPort\":" + echo.port() + ",\"remotePort\":"
                    + publicPort + "}"));
            Agent agent = TestAgents.start(link.port(), created.get("token").asText(), Duration.ofSeconds(1), 2);
            try {
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                    JsonNode live = live(server, clientId);
                    assertThat(live.get("state").asText()).isEqualTo("healthy");
                    assertThat(live.get("connections")).hasSize(2);
                });
                Visitor.awaitEcho(publicPort, Duration.ofSeconds(20));

                // 200 visitors held open at once: each session carries a share.
                List<Socket> held = new ArrayList<>();
                try {
                    for (int i = 0; i < VISITORS; i++) {
                        Socket visitor = Visitor.connect(publicPort);
                        held.add(visitor);
                        visitor.getOutputStream().write('x');
                        assertThat(visitor.getInputStream().read()).isEqualTo('x');
                    }
                    JsonNode connections = live(server, clientId).get("connections");
                    int first = connections.get(0).get("activeStreams").asInt();
                    int second = connections.get(1).get("activeStreams").asInt();
                    assertThat(first + second).isEqualTo(VISITORS);
                    assertThat(Math.min(first, second)).as("streams per session: %d and %d", first, second)
                            .isGreaterThanOrEqualTo(VISITORS / 4);
                } finally {
                    for (Socket visitor : held) {
                        visitor.close();
                    }
                }

                link.refuseNew(true); // the broken connection stays broken until the server has decided
                link.blackholeOldest();
                // The scenario's timing, not a synchronisation: visitors arrive one second after the path died.
                Thread.sleep(1_000);
                AtomicInteger served = new AtomicInteger();
                List<CompletableFuture<Void>> visits = new ArrayList<>();
                for (int i = 0; i < VISITORS; i++) {
                    byte[] payload = ("visitor-" + i).getBytes();
                    visits.add(CompletableFuture.runAsync(() -> {
                        try (Socket visitor = Visitor.connect(publicPort)) {
                            visitor.setSoTimeout(10_000);
                            visitor.getOutputStream().write(payload);
                            InputStream in = visitor.getInputStream();
                            byte[] back = in.readNBytes(payload.length);
                            if (Arrays.equals(back, payload)) {
                                served.incrementAndGet();
                            }
                        } catch (Exception hungOrReset) {
                            // counted as not served
                        }
                    }, pool));
                }
                CompletableFuture.allOf(visits.toArray(CompletableFuture[]::new)).join();
                assertThat(served.get()).as("visitors served after one connection was blackholed")
                        .isGreaterThanOrEqualTo(VISITORS * 99 / 100);

                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    assertThat(live(server, clientId).get("state").asText()).isEqualTo("degraded");
                    assertThat(server.get("/actuator/prometheus").body()).containsPattern(
                            "tunnel_keepalive_timeouts_total\\{client=\"pair\",side=\"server\"} 1\\.0")
                            .contains("tunnel_agent_connections{client=\"pair\"} 1.0")
                            .contains("tunnel_clients{state=\"degraded\"} 1.0");
                });
                assertThat(agent.metrics().isConnected()).as("the sibling never went down").isTrue();

                link.refuseNew(false);
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                    assertThat(live(server, clientId).get("state").asText()).isEqualTo("healthy");
                    assertThat(agent.metrics().disconnects()).containsEntry(DisconnectCause.KEEPALIVE_TIMEOUT, 1L);
                    assertThat(agent.metrics().connections()).isEqualTo(2);
                });
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(body(200,
                        server.get("/api/v1/clients/" + clientId + "/events")).toString()).contains("keepalive_timeout"));
            } finally {
                agent.stop();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static JsonNode live(TestServer server, long clientId) throws Exception {
        return body(200, server.get("/api/v1/clients/" + clientId)).get("live");
    }
}
