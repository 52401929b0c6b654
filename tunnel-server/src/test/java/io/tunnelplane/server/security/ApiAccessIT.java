package io.tunnelplane.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.tunnelplane.server.support.TestServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * Every API endpoint the application maps, found from its own handler mappings so a new one cannot be forgotten:
 * 401 without a token, 403 with a read-only token on anything that changes state, readable with it otherwise.
 */
class ApiAccessIT {
    private static final String READER = "test-read-only-token";
    private static final Set<RequestMethod> MUTATING = Set.of(RequestMethod.POST, RequestMethod.PUT,
            RequestMethod.PATCH, RequestMethod.DELETE);

    @Test
    void everyEndpointNeedsATokenAndReadOnlyTokensChangeNothing() throws Exception {
        Map<String, Object> props = TestServer.defaults();
        props.put("tunnel.api.read-only-tokens", READER);
        try (TestServer server = TestServer.start(props)) {
            List<String[]> endpoints = new ArrayList<>();
            server.bean("requestMappingHandlerMapping", RequestMappingHandlerMapping.class)
                    .getHandlerMethods().forEach((info, method) -> {
                for (String pattern : info.getPatternValues()) {
                    if (!pattern.startsWith("/api/")) {
                        continue;
                    }
                    String path = pattern.replaceAll("\\{[^}]+}", "1");
                    Set<RequestMethod> methods = info.getMethodsCondition().getMethods();
                    for (RequestMethod m : methods.isEmpty() ? Set.of(RequestMethod.GET) : methods) {
                        endpoints.add(new String[] {m.name(), path});
                    }
                }
            });
            assertThat(endpoints).hasSizeGreaterThan(10);
            int mutating = 0;
            for (String[] endpoint : endpoints) {
                String method = endpoint[0];
                String path = endpoint[1];
                assertThat(call(server, method, path, null).statusCode()).as("%s %s without a token", method, path)
                        .isEqualTo(401);
                int asReader = call(server, method, path, READER).statusCode();
                if (MUTATING.contains(RequestMethod.valueOf(method))) {
                    mutating++;
                    assertThat(asReader).as("%s %s with a read-only token", method, path).isEqualTo(403);
                } else {
                    assertThat(asReader).as("%s %s with a read-only token", method, path).isNotIn(401, 403);
                }
            }
            assertThat(mutating).isGreaterThan(5);
            // The read-only token sees metrics but not the effective configuration; nobody gets env or heap dumps.
            assertThat(call(server, "GET", "/actuator/metrics", READER).statusCode()).isEqualTo(200);
            assertThat(call(server, "GET", "/actuator/configprops", READER).statusCode()).isEqualTo(403);
            assertThat(call(server, "GET", "/actuator/configprops", TestServer.ADMIN_TOKEN).statusCode())
                    .isEqualTo(200);
            for (String hidden : List.of("/actuator/env", "/actuator/heapdump", "/actuator/threaddump",
                    "/actuator/beans", "/actuator/mappings")) {
                assertThat(call(server, "GET", hidden, TestServer.ADMIN_TOKEN).statusCode()).as(hidden).isEqualTo(404);
            }
            // No CORS: a cross-origin preflight gets no allow-origin header.
            HttpResponse<String> preflight = HttpClient.newHttpClient().send(server.request("/api/v1/clients")
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "https://evil.example")
                    .header("Access-Control-Request-Method", "DELETE").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        }
    }

    private static HttpResponse<String> call(TestServer server, String method, String path, String token)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.request(path).build().uri())
                .method(method, HttpRequest.BodyPublishers.ofString("{}")).header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
