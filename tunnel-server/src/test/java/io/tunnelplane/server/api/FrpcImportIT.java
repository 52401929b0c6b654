package io.tunnelplane.server.api;

import static io.tunnelplane.server.api.ControlPlaneFlowIT.body;
import static org.assertj.core.api.Assertions.assertThat;

import io.tunnelplane.server.support.FreePorts;
import io.tunnelplane.server.support.Json;
import io.tunnelplane.server.support.TestServer;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** An frpc.toml's proxies imported through the API, all or nothing; what has no equivalent here is reported. */
class FrpcImportIT {
    private static TestServer server;

    @BeforeAll
    static void start() {
        Map<String, Object> props = TestServer.defaults();
        props.put("tunnel.server.vhost.http-port", FreePorts.any());
        props.put("tunnel.server.vhost.https-port", FreePorts.any());
        server = TestServer.start(props);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void tcpUdpHttpAndHttpsProxiesAreImportedAndTheRestReported() throws Exception {
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
                locations = ["/app"]
                hostHeaderRewrite = "intranet.local"
                httpUser = "ops"
                httpPassword = "long-enough-secret"

                [[proxies]]
                name = "tls"
                type = "https"
                localPort = 443
                customDomains = ["secure.example.com"]
                transport.proxyProtocolVersion = "v2"

                [[proxies]]
                name = "dns"
                type = "udp"
                localPort = 53
                remotePort = 16053
                transport.bandwidthLimit = "512KB"

                [[proxies]]
                name = "secret"
                type = "stcp"
                localPort = 22

                [[proxies]]
                name = "files"
                type = "tcp"
                remotePort = 16080
                [proxies.plugin]
                type = "static_file"
                localPath = "/srv"

                [[proxies]]
                name = "old-pp"
                type = "tcp"
                localPort = 25
                remotePort = 16025
                transport.proxyProtocolVersion = "v1"

                [[proxies]]
                name = "db"
                localIP = "10.0.0.5"
                localPort = 5432
                remotePort = 16432
                """;
        JsonNode result = body(201, server.send("POST", "/api/v1/clients/" + clientId + "/proxies:import",
                "application/toml", frpc));
        assertThat(result.get("imported")).extracting(p -> p.get("name").asString())
                .containsExactly("ssh-home", "web", "tls", "dns", "db");
        assertThat(result.at("/imported/4/localHost").asString()).isEqualTo("10.0.0.5");
        JsonNode web = result.at("/imported/1");
        assertThat(web.get("customDomains").toString()).isEqualTo("[\"www.example.com\"]");
        assertThat(web.get("locations").toString()).isEqualTo("[\"/app\"]");
        assertThat(web.get("hostHeaderRewrite").asString()).isEqualTo("intranet.local");
        assertThat(web.get("httpUser").asString()).isEqualTo("ops");
        assertThat(result.at("/imported/2/proxyProtocol").asString()).isEqualTo("v2");
        assertThat(result.at("/imported/3/remotePort").asInt()).isEqualTo(16053);
        assertThat(result.at("/imported/3/bandwidthLimit").asLong()).isEqualTo(512 * 1024);
        assertThat(result.get("skipped")).extracting(p -> p.get("name").asString() + ": " + p.get("reason").asString())
                .containsExactly("secret: type stcp has no equivalent here (tcp, udp, http, https)",
                        "files: frp plugins (static_file) have no equivalent here",
                        "old-pp: PROXY protocol v1 is not sent here (v2 only)");
        assertThat(body(200, server.get("/api/v1/clients/" + clientId + "/proxies"))).hasSize(5);
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
