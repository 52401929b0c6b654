package io.tunnelplane.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tunnelplane.agent.Agent;
import io.tunnelplane.agent.ExitCode;
import io.tunnelplane.server.support.FreePorts;
import io.tunnelplane.server.support.Json;
import io.tunnelplane.server.support.LocalService;
import io.tunnelplane.server.support.TestAgents;
import io.tunnelplane.server.support.TestServer;
import io.tunnelplane.server.support.Visitor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The managed flow through the REST API with a real HTTP client against the running server, a real agent and a
 * real local service: every change reaches the live session before the API answers.
 */
class ControlPlaneFlowIT {
    private static TestServer server;
    private static LocalService echo;

    @BeforeAll
    static void start() throws IOException {
        echo = new LocalService(LocalService.Mode.ECHO);
        server = TestServer.start(TestServer.defaults());
    }

    @AfterAll
    static void stop() throws IOException {
        server.close();
        echo.close();
    }

    @Test
    void createConnectToggleRotateKickAndDelete() throws Exception {
        JsonNode created = body(201, server.send("POST", "/api/v1/clients", "{\"name\":\"office\",\"description\":\"HQ\"}"));
        long clientId = created.get("id").asLong();
        String token = created.get("token").asString();
        assertThat(token).startsWith("office.");
        assertThat(body(200, server.get("/api/v1/clients/" + clientId)).toString()).doesNotContain(token);

        int publicPort = FreePorts.inRange(10000, 20000);
        JsonNode proxy = body(201, server.send("POST", "/api/v1/clients/" + clientId + "/proxies",
                proxyJson("echo", echo.port(), publicPort)));
        long proxyId = proxy.get("id").asLong();
        assertThat(proxy.get("state").asString()).isEqualTo("offline");

        Agent agent = TestAgents.start(server.agentPort(), token, Duration.ofSeconds(2));
        CompletableFuture<Integer> agentExit = agent.start();
        await().atMost(Duration.ofSeconds(15)).ignoreExceptions().untilAsserted(() ->
                assertThat(Visitor.exchange(publicPort, "ping".getBytes())).isEqualTo("ping".getBytes()));
        JsonNode live = body(200, server.get("/api/v1/clients/" + clientId));
        assertThat(live.at("/live/online").asBoolean()).isTrue();
        assertThat(live.at("/live/agentVersion").asString()).isNotEmpty();
        assertThat(live.at("/live/keepalive/askedTimeMs").asLong()).as("the agent asked for nothing").isZero();
        assertThat(live.at("/live/keepalive/agreedTimeMs").asLong()).isEqualTo(15_000);
        assertThat(live.at("/proxies/0/state").asString()).isEqualTo("listening");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                body(200, server.get("/api/v1/clients/" + clientId)).get("lastSeenAt").isNull()).isFalse());

        // Disabled: the port is closed by the time the API answers.
        assertThat(body(200, server.send("PATCH", "/api/v1/proxies/" + proxyId, "{\"enabled\":false}"))
                .get("state").asString()).isEqualTo("disabled");
        assertThatThrownBy(() -> Visitor.connect(publicPort).close()).isInstanceOf(IOException.class);

        // Enabled again: open and relaying when the API answers.
        assertThat(body(200, server.send("PATCH", "/api/v1/proxies/" + proxyId, "{\"enabled\":true}"))
                .get("state").asString()).isEqualTo("listening");
        assertThat(Visitor.exchange(publicPort, "back".getBytes())).isEqualTo("back".getBytes());

        // A port the server cannot open: 409, and nothing is stored.
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int takenPort = FreePorts.inRange(10000, 20000);
            try (ServerSocket occupied = new ServerSocket(takenPort, 1, InetAddress.getByName("127.0.0.1"))) {
                HttpResponse<String> refused = server.send("POST", "/api/v1/clients/" + clientId + "/proxies",
                        proxyJson("busy", echo.port(), takenPort));
                assertThat(refused.statusCode()).isEqualTo(409);
                assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
                assertThat(refused.body()).contains("remotePort").contains(String.valueOf(takenPort));
            }
        }
        assertThat(body(200, server.get("/api/v1/clients/" + clientId + "/proxies"))).hasSize(1);
        assertThat(Visitor.exchange(publicPort, "still".getBytes())).isEqualTo("still".getBytes());

        // Kick: the agent reconnects by itself; the event is recorded with its cause.
        assertThat(body(200, server.send("POST", "/api/v1/clients/" + clientId + "/disconnect", null))
                .get("wasOnline").asBoolean()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> agent.metrics().sessions() == 2);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(body(200, server.get("/api/v1/clients/" + clientId + "/events"))
                        .at("/content/0/cause").asString()).isEqualTo("kicked"));

        // Rotate: the old session ends, the old token is refused (agent exits 3), the new one works.
        String newToken = body(200, server.send("POST", "/api/v1/clients/" + clientId + "/token", null))
                .get("token").asString();
        assertThat(newToken).isNotEqualTo(token);
        assertThat(agentExit.get(20, TimeUnit.SECONDS)).isEqualTo(ExitCode.AUTH_REFUSED);
        Agent rotated = TestAgents.start(server.agentPort(), newToken, Duration.ofSeconds(2));
        await().atMost(Duration.ofSeconds(15)).ignoreExceptions().untilAsserted(() ->
                assertThat(Visitor.exchange(publicPort, "new".getBytes())).isEqualTo("new".getBytes()));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                body(200, server.get("/api/v1/clients/" + clientId + "/events")).at("/content/0/cause").asString())
                .isEqualTo("credentials_revoked"));

        // Every ending so far was chosen by an operator: nothing for the diagnosis to explain.
        JsonNode diagnosis = body(200, server.get("/api/v1/clients/" + clientId + "/diagnosis"));
        assertThat(diagnosis.get("pattern").asString()).isEqualTo("none");
        assertThat(diagnosis.at("/evidence/0").asString()).contains("kicked").contains("credentials_revoked");

        // Delete: the session ends and the agent is refused from then on.
        assertThat(server.send("DELETE", "/api/v1/clients/" + clientId, null).statusCode()).isEqualTo(204);
        assertThat(rotated.start().get(20, TimeUnit.SECONDS)).isEqualTo(ExitCode.AUTH_REFUSED);
        assertThat(server.get("/api/v1/clients/" + clientId).statusCode()).isEqualTo(404);
        assertThatThrownBy(() -> Visitor.connect(publicPort).close()).isInstanceOf(IOException.class);
    }

    @Test
    void duplicatesAndUnknownIdsAreClearErrors() throws Exception {
        body(201, server.send("POST", "/api/v1/clients", "{\"name\":\"twin\"}"));
        HttpResponse<String> duplicate = server.send("POST", "/api/v1/clients", "{\"name\":\"twin\"}");
        assertThat(duplicate.statusCode()).isEqualTo(409);
        assertThat(Json.parse(duplicate.body()).at("/errors/0/field").asString()).isEqualTo("name");
        assertThat(server.get("/api/v1/clients/999999").statusCode()).isEqualTo(404);
        assertThat(server.get("/api/v1/proxies/999999").statusCode()).isEqualTo(404);
        assertThat(server.send("POST", "/api/v1/clients/999999/proxies", proxyJson("x", 1, 10001)).statusCode())
                .isEqualTo(404);
    }

    @Test
    void anUnreachableLocalServiceIsReportedByTheAgentAndShownInTheApi() throws Exception {
        JsonNode created = body(201, server.send("POST", "/api/v1/clients", "{\"name\":\"lonely\"}"));
        long clientId = created.get("id").asLong();
        int publicPort = FreePorts.inRange(10000, 20000);
        int nothingListens = FreePorts.any();
        body(201, server.send("POST", "/api/v1/clients/" + clientId + "/proxies",
                proxyJson("gone", nothingListens, publicPort)));
        Agent agent = TestAgents.start(server.agentPort(), created.get("token").asString(), Duration.ofSeconds(2));
        try {
            await().atMost(Duration.ofSeconds(15)).ignoreExceptions().untilAsserted(() -> {
                try (java.net.Socket visitor = Visitor.connect(publicPort)) {
                    visitor.getOutputStream().write('x');
                    assertThat(Visitor.endsWithoutHanging(visitor.getInputStream())).isTrue();
                }
                assertThat(body(200, server.get("/api/v1/clients/" + clientId)).at("/proxies/0/localError")
                        .asString()).contains(String.valueOf(nothingListens)).containsIgnoringCase("refused");
            });
        } finally {
            agent.stop();
        }
    }

    static String proxyJson(String name, int localPort, int remotePort) {
        return "{\"name\":\"" + name + "\",\"type\":\"tcp\",\"localHost\":\"127.0.0.1\",\"localPort\":" + localPort
                + ",\"remotePort\":" + remotePort + "}";
    }

    static JsonNode body(int expectedStatus, HttpResponse<String> response) {
        return Json.body(expectedStatus, response);
    }
}
