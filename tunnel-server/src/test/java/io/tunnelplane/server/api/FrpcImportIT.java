package io.tunnelplane.server.api;

import static io.tunnelplane.server.api.ControlPlaneFlowIT.body;
import static org.assertj.core.api.Assertions.assertThat;

import io.tunnelplane.server.support.Json;
import io.tunnelplane.server.support.TestServer;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** An frpc.toml's proxies imported through the API: TCP ones all or nothing, the rest reported. */
class FrpcImportIT {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(TestServer.defaults());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void tcpProxiesAreImportedAndOtherTypesReported() throws Exception {
        long clientId = body(201, server.send("POST", "/api/v1/clients", "{\"name\":\"frp-user\"}")).get("id").asLong();
        String frpc = """
                serverAddr = "frps.example.com"
                serverPort = 7000

                [[proxies]]
                name = "SSH_home"
                type = "tcp"
                localIP = "127.0.0.1"
                localPort = 22
                remotePort = 16022

                [[proxies]]
                name = "web"
                type = "http"
                localPort = 80
                customDomains = ["www.example.com"]

                [[proxies]]
                name = "db"
                localIP = "10.0.0.5"
                localPort = 5432
                remotePort = 16432
                """;
        JsonNode result = body(201, server.send("POST", "/api/v1/clients/" + clientId + "/proxies:import",
                "application/toml", frpc));
        assertThat(result.get("imported")).extracting(p -> p.get("name").asString()).containsExactly("ssh-home", "db");
        assertThat(result.at("/imported/1/localHost").asString()).isEqualTo("10.0.0.5");
        assertThat(result.at("/skipped/0/name").asString()).isEqualTo("web");
        assertThat(result.at("/skipped/0/reason").asString()).contains("http");
        assertThat(body(200, server.get("/api/v1/clients/" + clientId + "/proxies"))).hasSize(2);
    }

    @Test
    void oneBadEntryStoresNothingAndNamesTheEntry() throws Exception {
        long clientId = body(201, server.send("POST", "/api/v1/clients", "{\"name\":\"careful\"}")).get("id").asLong();
        String frpc = """
                [[proxies]]
                name = "ok"
                type = "tcp"
                localPort = 22
                remotePort = 17022

                [[proxies]]
                name = "outside"
                type = "tcp"
                localPort = 80
                remotePort = 80
                """;
        HttpResponse<String> refused = server.send("POST", "/api/v1/clients/" + clientId + "/proxies:import",
                "application/toml", frpc);
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
        assertThat(Json.parse(refused.body()).at("/errors/0/field").asString()).isEqualTo("proxies[1].remotePort");
        assertThat(body(200, server.get("/api/v1/clients/" + clientId + "/proxies"))).isEmpty();

        HttpResponse<String> garbage = server.send("POST", "/api/v1/clients/" + clientId + "/proxies:import",
                "application/toml", "[[proxies]\nname = ");
        assertThat(garbage.statusCode()).isEqualTo(400);
        assertThat(garbage.body()).contains("TOML");
    }
}
