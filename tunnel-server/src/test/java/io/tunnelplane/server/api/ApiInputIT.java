package io.tunnelplane.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.tunnelplane.server.support.Json;
import io.tunnelplane.server.support.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/** Bad input gets an RFC 7807 problem naming the field and the rule, and changes nothing that is stored. */
class ApiInputIT {
    private static TestServer server;
    private static long clientId;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(TestServer.defaults());
        clientId = ControlPlaneFlowIT.body(201, server.send("POST", "/api/v1/clients", "{\"name\":\"valid\"}"))
                .get("id").asLong();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Stream<Arguments> badClients() {
        return Stream.of(
                Arguments.of("{\"name\":\"Not A Label\"}", "name", "DNS label"),
                Arguments.of("{\"name\":\"-leading\"}", "name", "DNS label"),
                Arguments.of("{}", "name", "must not be blank"),
                Arguments.of("{\"name\":\"ok\",\"labels\":\"red\"}", "labels", "wrong type"),
                Arguments.of("{\"name\":\"ok\",\"colour\":\"red\"}", "colour", "unknown field"),
                Arguments.of("{\"name\":\"ok\",\"description\":\"" + "x".repeat(501) + "\"}", "description", "500"));
    }

    @ParameterizedTest
    @MethodSource("badClients")
    void badClientBodiesNameTheField(String json, String field, String rule) throws Exception {
        assertProblem(server.send("POST", "/api/v1/clients", json), 400, field, rule);
        assertThat(clientCount()).isEqualTo(1);
    }

    @Test
    void patchingLabelsReplacesTheSetAndABadKeyIsNamedWithNothingChanged() throws Exception {
        long id = ControlPlaneFlowIT.body(201, server.send("POST", "/api/v1/clients",
                "{\"name\":\"labelled\",\"labels\":{\"env\":\"dev\",\"site\":\"berlin\"}}")).get("id").asLong();
        JsonNode patched = ControlPlaneFlowIT.body(200, server.send("PATCH", "/api/v1/clients/" + id,
                "{\"labels\":{\"env\":\"prod\"}}"));
        assertThat(patched.get("labels").properties()).hasSize(1);
        assertThat(patched.at("/labels/env").asString()).isEqualTo("prod");
        HttpResponse<String> refused = server.send("PATCH", "/api/v1/clients/" + id,
                "{\"labels\":{\"Bad Key\":\"x\"}}");
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
        JsonNode problem = Json.parse(refused.body());
        assertThat(problem.at("/errors/0/field").asString()).startsWith("labels").contains("Bad Key");
        assertThat(problem.get("detail").asString()).contains("DNS label");
        assertThat(ControlPlaneFlowIT.body(200, server.get("/api/v1/clients/" + id)).at("/labels/env").asString())
                .isEqualTo("prod");
        server.send("DELETE", "/api/v1/clients/" + id, null);
    }

    static Stream<Arguments> badProxies() {
        String ok = "\"name\":\"web\",\"type\":\"tcp\",\"localHost\":\"127.0.0.1\",\"localPort\":80";
        return Stream.of(
                Arguments.of("{" + ok + ",\"remotePort\":70000}", 400, "remotePort", "65535"),
                Arguments.of("{" + ok + ",\"remotePort\":0}", 400, "remotePort", "1"),
                Arguments.of("{" + ok + ",\"remotePort\":8080}", 422, "remotePort", "allow-ports"),
                Arguments.of("{" + ok + "}", 400, "remotePort", "is required for tcp proxies"),
                Arguments.of("{" + ok + ",\"remotePort\":\"ten\"}", 400, "remotePort", "wrong type"),
                Arguments.of("{\"name\":\"web\",\"type\":\"sctp\",\"localHost\":\"h\",\"localPort\":1,\"remotePort\":10001}",
                        400, "type", "tcp"),
                Arguments.of("{\"name\":\"web\",\"type\":\"tcp\",\"localHost\":\"a b\",\"localPort\":1,\"remotePort\":10001}",
                        400, "localHost", "host name"),
                Arguments.of("{" + ok + ",\"remotePort\":10001,\"extra\":true}", 400, "extra", "unknown field"));
    }

    @ParameterizedTest
    @MethodSource("badProxies")
    void badProxyBodiesNameTheField(String json, int status, String field, String rule) throws Exception {
        assertProblem(server.send("POST", "/api/v1/clients/" + clientId + "/proxies", json), status, field, rule);
        assertThat(ControlPlaneFlowIT.body(200, server.get("/api/v1/clients/" + clientId + "/proxies"))).isEmpty();
    }

    @Test
    void oversizedBodyIsRefusedBeforeItIsRead() throws Exception {
        String huge = "{\"name\":\"big\",\"description\":\"" + "x".repeat(100_000) + "\"}";
        HttpResponse<String> response = server.send("POST", "/api/v1/clients", huge);
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.body()).contains("tunnel.api.max-body-size");
        assertThat(clientCount()).isEqualTo(1);
    }

    @Test
    void apiAndActuatorNeedTheAdminTokenExceptHealthAndPrometheus() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + server.httpPort();
        for (String path : new String[] {"/api/v1/clients", "/actuator/metrics", "/actuator/info"}) {
            HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).as(path).isEqualTo(401);
            assertThat(anonymous.body()).doesNotContain("valid");
        }
        HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/clients"))
                .header("Authorization", "Bearer nope").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(wrong.statusCode()).isEqualTo(401);
        for (String path : new String[] {"/actuator/health", "/actuator/prometheus"}) {
            assertThat(http.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).as(path).isEqualTo(200);
        }
    }

    @Test
    void theApiIsDescribedByOpenApiAndSwaggerUiIsServed() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + server.httpPort();
        HttpResponse<String> docs = http.send(HttpRequest.newBuilder(URI.create(base + "/v3/api-docs")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(docs.statusCode()).isEqualTo(200);
        JsonNode paths = Json.parse(docs.body()).get("paths");
        assertThat(paths.has("/api/v1/clients")).isTrue();
        assertThat(paths.has("/api/v1/proxies/{id}")).isTrue();
        assertThat(paths.has("/api/v1/clients/{id}/diagnosis")).isTrue();
        HttpResponse<String> ui = http.send(HttpRequest.newBuilder(URI.create(base + "/swagger-ui/index.html"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ui.statusCode()).isEqualTo(200);
        assertThat(ui.body()).containsIgnoringCase("swagger");
    }

    @Test
    void infoNamesTheBuildForOperators() throws Exception {
        JsonNode info = ControlPlaneFlowIT.body(200, server.get("/actuator/info"));
        assertThat(info.at("/build/artifact").asString()).isEqualTo("tunnel-server");
        assertThat(info.at("/build/version").asString()).isNotEmpty();
    }

    @Test
    void effectiveConfigurationIsShownToOperatorsWithSecretsMasked() throws Exception {
        String config = server.get("/actuator/configprops").body();
        assertThat(config).contains("tunnel.server").contains("\"allowPorts\":\"10000-20000\"")
                .contains("tunnel.api").doesNotContain(TestServer.ADMIN_TOKEN).contains("******");
    }

    private static long clientCount() throws Exception {
        return ControlPlaneFlowIT.body(200, server.get("/api/v1/clients")).get("totalElements").asLong(-1);
    }

    private static void assertProblem(HttpResponse<String> response, int status, String field, String rule) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode problem = Json.parse(response.body());
        assertThat(problem.get("detail").asString()).contains(field).contains(rule);
        assertThat(problem.at("/errors/0/field").asString()).isEqualTo(field);
    }
}
