package io.tunnelplane.server.vhost;

import static io.tunnelplane.server.support.Json.body;
import static org.assertj.core.api.Assertions.assertThat;

import io.tunnelplane.server.support.FreePorts;
import io.tunnelplane.server.support.TestServer;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The control plane validates virtual-host names: syntax, ownership across clients, allowed domains. */
class VirtualHostApiIT {

    @Test
    void domainsAreValidatedAndBelongToOneClient() throws Exception {
        Map<String, Object> props = TestServer.defaults();
        props.put("tunnel.server.vhost.http-port", FreePorts.any());
        props.put("tunnel.server.vhost.subdomain-host", "tunnel.example.test");
        props.put("tunnel.server.vhost.allowed-domains", "example.test");
        try (TestServer server = TestServer.start(props)) {
            long a = client(server, "one");
            long b = client(server, "two");
            JsonNode web = body(201, create(server, a, "web", "http", "\"customDomains\":[\"WWW.Example.Test.\"],"
                    + "\"subdomain\":\"shop\""));
            assertThat(web.get("customDomains")).extracting(JsonNode::asString)
                    .containsExactly("www.example.test", "shop.tunnel.example.test");
            assertThat(web.get("locations")).extracting(JsonNode::asString).containsExactly("/");
            body(201, create(server, a, "api", "http", "\"customDomains\":[\"www.example.test\"],"
                    + "\"locations\":[\"/api\"]"));

            assertThat(field(body(409, create(server, b, "steal", "http",
                    "\"customDomains\":[\"www.example.test\"],\"locations\":[\"/other\"]")))).isEqualTo("customDomains");
            assertThat(body(409, create(server, a, "dup", "http", "\"customDomains\":[\"www.example.test\"]"))
                    .get("detail").asString()).contains("already served by proxy web");
            assertThat(field(body(400, create(server, a, "bad", "http", "\"customDomains\":[\"no_underscores.example.test\"]"))))
                    .isEqualTo("customDomains");
            assertThat(body(422, create(server, a, "far", "http", "\"customDomains\":[\"elsewhere.org\"]"))
                    .get("detail").asString()).contains("tunnel.server.vhost.allowed-domains");
            assertThat(field(body(400, create(server, a, "none", "http", "\"remotePort\":" + FreePorts.inRange(10000,
                    20000))))).isEqualTo("remotePort");
            assertThat(body(422, create(server, a, "tls", "https", "\"customDomains\":[\"tls.example.test\"]"))
                    .get("detail").asString()).contains("tunnel.server.vhost.https-port");
            assertThat(field(body(400, create(server, a, "nodomain", "http", "\"locations\":[\"/x\"]"))))
                    .isEqualTo("customDomains");

            // The PROXY protocol header: v2 on stream proxies, switched off again with "none".
            assertThat(field(body(400, create(server, a, "pp1", "http",
                    "\"customDomains\":[\"pp1.example.test\"],\"proxyProtocol\":\"v1\"")))).isEqualTo("proxyProtocol");
            assertThat(field(body(422, create(server, a, "ppudp", "udp", "\"remotePort\":"
                    + FreePorts.inRange(10000, 20000) + ",\"proxyProtocol\":\"v2\"")))).isEqualTo("proxyProtocol");
            assertThat(field(body(422, create(server, a, "tcpauth", "tcp", "\"remotePort\":"
                    + FreePorts.inRange(10000, 20000) + ",\"httpUser\":\"bob\",\"httpPassword\":\"12345678\""))))
                    .isEqualTo("httpUser");
            assertThat(field(body(400, create(server, a, "colon", "http", "\"customDomains\":[\"c.example.test\"],"
                    + "\"httpUser\":\"bo:b\",\"httpPassword\":\"12345678\"")))).isEqualTo("httpUser");
            JsonNode withHeader = body(201, create(server, a, "pp2", "http",
                    "\"customDomains\":[\"pp2.example.test\"],\"proxyProtocol\":\"v2\""));
            assertThat(withHeader.get("proxyProtocol").asString()).isEqualTo("v2");
            assertThat(body(200, server.send("PATCH", "/api/v1/proxies/" + withHeader.get("id").asLong(),
                    "{\"proxyProtocol\":\"none\"}")).get("proxyProtocol").isNull()).isTrue();
        }
    }

    private static long client(TestServer server, String name) throws Exception {
        return body(201, server.send("POST", "/api/v1/clients", "{\"name\":\"" + name + "\"}")).get("id").asLong();
    }

    private static java.net.http.HttpResponse<String> create(TestServer server, long client, String name, String type,
            String routing) throws Exception {
        return server.send("POST", "/api/v1/clients/" + client + "/proxies", "{\"name\":\"" + name + "\",\"type\":\""
                + type + "\",\"localHost\":\"127.0.0.1\",\"localPort\":8080," + routing + "}");
    }

    private static String field(JsonNode problem) {
        return problem.at("/errors/0/field").asString();
    }
}
