package io.tunnelplane.server.access;

import static io.tunnelplane.server.support.Json.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.tunnelplane.agent.Agent;
import io.tunnelplane.server.support.FreePorts;
import io.tunnelplane.server.support.LocalService;
import io.tunnelplane.server.support.TestAgents;
import io.tunnelplane.server.support.TestServer;
import io.tunnelplane.server.support.Visitor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Behind a load balancer that speaks the PROXY protocol (HAProxy's {@code send-proxy} / {@code send-proxy-v2}), the
 * visitor the balancer names is the one rules, the access log and {@code X-Forwarded-For} see; a sender that is not
 * in {@code tunnel.server.access.trusted-proxies} cannot forge one. Loopback plays both: 127.0.0.1 is the trusted
 * balancer, ::1 an ordinary visitor.
 */
class TrustedProxiesIT {

    @Test
    void theBalancersVisitorIsTheOneRulesLogsAndHeadersSeeAndNobodyElseMayNameOne() throws Exception {
        HttpServer site = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        site.createContext("/", exchange -> {
            byte[] body = ("xff=" + exchange.getRequestHeaders().getFirst("X-Forwarded-For"))
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        site.start();
        int httpPort = FreePorts.any();
        Map<String, Object> props = TestServer.defaults();
        props.put("tunnel.server.proxy-bind-address", "::");
        props.put("tunnel.server.vhost.http-port", httpPort);
        props.put("tunnel.server.access.trusted-proxies", "127.0.0.1/32");
        try (LocalService echo = new LocalService(LocalService.Mode.ECHO);
                TestServer server = TestServer.start(props)) {
            JsonNode client = body(201, server.send("POST", "/api/v1/clients", "{\"name\":\"behind-lb\"}"));
            long clientId = client.get("id").asLong();
            int tcpPort = FreePorts.inRange(10000, 20000);
            long tcp = body(201, server.send("POST", "/api/v1/clients/" + clientId + "/proxies", "{\"name\":\"ssh\","
                    + "\"type\":\"tcp\",\"localHost\":\"127.0.0.1\",\"localPort\":" + echo.port() + ",\"remotePort\":"
                    + tcpPort + ",\"denyFrom\":[\"203.0.113.0/24\"]}")).get("id").asLong();
            long web = body(201, server.send("POST", "/api/v1/clients/" + clientId + "/proxies", "{\"name\":\"site\","
                    + "\"type\":\"http\",\"localHost\":\"127.0.0.1\",\"localPort\":" + site.getAddress().getPort()
                    + ",\"customDomains\":[\"site.example\"]}")).get("id").asLong();
            Agent agent = TestAgents.start(server.agentPort(), client.get("token").asString(), Duration.ofSeconds(1));
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> server.get("/api/v1/clients/" + clientId
                        + "/proxies").body().split("\"state\":\"listening\"", -1).length == 3);

                // v1 header from the balancer: stripped, and the named visitor is admitted...
                String answer = exchange("127.0.0.1", tcpPort, ("PROXY TCP4 198.51.100.7 127.0.0.1 40000 " + tcpPort
                        + "\r\nhello").getBytes(StandardCharsets.US_ASCII), 5);
                assertThat(answer).isEqualTo("hello");
                // ...and a named visitor the rules deny is refused, although the balancer itself is not denied.
                assertThat(exchange("127.0.0.1", tcpPort, ("PROXY TCP4 203.0.113.9 127.0.0.1 40001 " + tcpPort
                        + "\r\nhello").getBytes(StandardCharsets.US_ASCII), 5)).isEmpty();
                // closeExisting ends the connected visitors a change now refuses: by the visitor named, not the balancer.
                try (Socket held = new Socket("127.0.0.1", tcpPort)) {
                    held.setSoTimeout(5_000);
                    held.getOutputStream().write(("PROXY TCP4 198.51.100.70 127.0.0.1 40010 " + tcpPort + "\r\nhi")
                            .getBytes(StandardCharsets.US_ASCII));
                    assertThat(new String(held.getInputStream().readNBytes(2), StandardCharsets.US_ASCII))
                            .isEqualTo("hi");
                    body(200, server.send("PATCH", "/api/v1/proxies/" + tcp,
                            "{\"denyFrom\":[\"203.0.113.0/24\",\"198.51.100.70\"],\"closeExisting\":true}"));
                    assertThat(Visitor.refusedWithoutAByte(held)).isTrue();
                }
                JsonNode tcpLog = body(200, server.get("/api/v1/proxies/" + tcp + "/access"));
                assertThat(tcpLog).anySatisfy(e -> {
                    assertThat(e.get("event").asString()).isEqualTo("connection");
                    assertThat(e.get("source").asString()).isEqualTo("198.51.100.7");
                    assertThat(e.get("sourcePort").asInt()).isEqualTo(40000);
                });
                assertThat(tcpLog).anySatisfy(e -> {
                    assertThat(e.get("event").asString()).isEqualTo("refused");
                    assertThat(e.get("source").asString()).isEqualTo("203.0.113.9");
                });

                // v2 header before an HTTP request: the local service hears of the named visitor.
                byte[] request = ("GET / HTTP/1.1\r\nHost: site.example\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
                String response = exchange("127.0.0.1", httpPort, concat(v2Header("198.51.100.8", 40002, httpPort),
                        request), Integer.MAX_VALUE);
                assertThat(response).startsWith("HTTP/1.1 200").endsWith("xff=198.51.100.8");
                assertThat(body(200, server.get("/api/v1/proxies/" + web + "/access"))).anySatisfy(e -> {
                    assertThat(e.get("event").asString()).isEqualTo("request");
                    assertThat(e.get("source").asString()).isEqualTo("198.51.100.8");
                });

                // Anyone else naming a visitor is refused before routing; without a header they are served.
                assertThat(exchange("::1", httpPort, concat(("PROXY TCP4 198.51.100.9 127.0.0.1 40003 " + httpPort
                        + "\r\n").getBytes(StandardCharsets.US_ASCII), request), Integer.MAX_VALUE)).isEmpty();
                assertThat(exchange("::1", httpPort, request, Integer.MAX_VALUE)).endsWith("xff=0:0:0:0:0:0:0:1");
            } finally {
                agent.stop();
            }
        } finally {
            site.stop(0);
        }
    }

    /** Sends {@code bytes} and reads up to {@code max} bytes of answer until the other side ends or resets. */
    private static String exchange(String host, int port, byte[] bytes, int max) throws IOException {
        try (Socket socket = new Socket(host, port)) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(bytes);
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buffer = new byte[4096];
            try {
                int n;
                while (answer.size() < max && (n = socket.getInputStream().read(buffer)) > 0) {
                    answer.write(buffer, 0, n);
                }
            } catch (IOException reset) {
                // what came before the reset is the answer
            }
            return answer.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /** A PROXY v2 header for a TCP over IPv4 visitor, as HAProxy's send-proxy-v2 writes it. */
    private static byte[] v2Header(String visitor, int visitorPort, int serverPort) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(28);
        header.put(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
        header.put((byte) 0x21).put((byte) 0x11).putShort((short) 12);
        header.put(java.net.InetAddress.getByName(visitor).getAddress());
        header.put(java.net.InetAddress.getByName("127.0.0.1").getAddress());
        header.putShort((short) visitorPort).putShort((short) serverPort);
        return header.array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
