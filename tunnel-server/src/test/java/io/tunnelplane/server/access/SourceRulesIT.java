package io.tunnelplane.server.access;

import io.tunnelplane.agent.Agent;
import io.tunnelplane.server.support.FreePorts;
import io.tunnelplane.server.support.LocalService;
import io.tunnelplane.server.support.TestAgents;
import io.tunnelplane.server.support.TestServer;
import io.tunnelplane.server.support.UdpEcho;
import io.tunnelplane.server.support.Visitor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import static io.tunnelplane.server.support.Json.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import tools.jackson.databind.JsonNode;

/**
 * Who may visit a proxy, by source address, against the running server with a real agent: a refused TCP visitor is
 * reset before any stream reaches the agent, an HTTP one gets 403, a UDP sender's datagrams go nowhere; lifting the
 * rule admits them again; IPv6 rules apply to IPv6 visitors; {@code closeExisting} ends the visitors a change now
 * refuses; a bad entry is a 400 naming it, and nothing is stored.
 */
class SourceRulesIT {
    private static TestServer server;
    private static LocalService echo;
    private static UdpEcho udpEcho;
    private static Agent agent;
    private static long clientId;
    private static int httpPort;

    @BeforeAll
    static void start() throws Exception {
        echo = new LocalService(LocalService.Mode.ECHO);
        udpEcho = new UdpEcho();
        Map<String, Object> props = TestServer.defaults();
        props.put("tunnel.server.proxy-bind-address", "::"); // both families: IPv6 rules need IPv6 visitors
        httpPort = FreePorts.any();
        props.put("tunnel.server.vhost.http-port", httpPort);
        server = TestServer.start(props);
        JsonNode client = body(201, server.send("POST", "/api/v1/clients", "{\"name\":\"guarded\"}"));
        clientId = client.get("id").asLong();
        agent = TestAgents.start(server.agentPort(), client.get("token").asString(), Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> agent.metrics().isConnected());
    }

    @AfterAll
    static void stop() throws Exception {
        agent.stop();
        server.close();
        echo.close();
        udpEcho.close();
    }

    @Test
    void aDeniedTcpVisitorIsResetBeforeTheAgentHearsOfItAndAdmittedOnceTheRuleIsLifted() throws Exception {
        int port = FreePorts.inRange(10000, 20000);
        long proxyId = createProxy("{\"name\":\"ssh\",\"type\":\"tcp\",\"localHost\":\"127.0.0.1\",\"localPort\":"
                + echo.port() + ",\"remotePort\":" + port + ",\"denyFrom\":[\"127.0.0.0/8\"]}");
        int acceptedBefore = echo.accepted();
        double refusedBefore = refused();
        try (Socket visitor = new Socket("127.0.0.1", port)) {
            assertThat(Visitor.refusedWithoutAByte(visitor)).as("reset, no bytes").isTrue();
        }
        assertThat(refused()).isGreaterThan(refusedBefore);
        assertThat(echo.accepted()).as("the local service never heard of it").isEqualTo(acceptedBefore);

        JsonNode lifted = body(200, server.send("PATCH", "/api/v1/proxies/" + proxyId, "{\"denyFrom\":[]}"));
        assertThat(lifted.get("denyFrom")).isEmpty();
        assertThat(Visitor.exchange(port, "hello".getBytes(StandardCharsets.UTF_8))).asString().isEqualTo("hello");
    }

    @Test
    void ipv6RulesApplyToIpv6VisitorsOnly() throws Exception {
        int port = FreePorts.inRange(10000, 20000);
        createProxy("{\"name\":\"v6\",\"type\":\"tcp\",\"localHost\":\"127.0.0.1\",\"localPort\":" + echo.port()
                + ",\"remotePort\":" + port + ",\"denyFrom\":[\"::1\"]}");
        try (Socket visitor = new Socket("::1", port)) {
            assertThat(Visitor.refusedWithoutAByte(visitor)).isTrue();
        }
        assertThat(Visitor.exchange(port, "v4".getBytes(StandardCharsets.UTF_8))).asString().isEqualTo("v4");
    }

    @Test
    void closeExistingEndsTheVisitorsAChangeNowRefusesAndOnlyThose() throws Exception {
        int port = FreePorts.inRange(10000, 20000);
        long proxyId = createProxy("{\"name\":\"held\",\"type\":\"tcp\",\"localHost\":\"127.0.0.1\",\"localPort\":"
                + echo.port() + ",\"remotePort\":" + port + "}");
        try (Socket v4 = new Socket("127.0.0.1", port); Socket v6 = new Socket("::1", port)) {
            assertThat(roundTrip(v4, "a")).isEqualTo("a");
            assertThat(roundTrip(v6, "b")).isEqualTo("b");
            body(200, server.send("PATCH", "/api/v1/proxies/" + proxyId,
                    "{\"denyFrom\":[\"127.0.0.0/8\"],\"closeExisting\":true}"));
            assertThat(Visitor.refusedWithoutAByte(v4)).as("now refused: ended").isTrue();
            assertThat(roundTrip(v6, "c")).as("still admitted: untouched").isEqualTo("c");
        }
    }

    @Test
    void aDeniedHttpVisitorGetsForbidden() throws Exception {
        long proxyId = createProxy("{\"name\":\"site\",\"type\":\"http\",\"localHost\":\"127.0.0.1\",\"localPort\":"
                + echo.port() + ",\"customDomains\":[\"site.example\"],\"allowFrom\":[\"192.0.2.0/24\"]}");
        assertThat(httpStatus("site.example")).isEqualTo(403);
        body(200, server.send("PATCH", "/api/v1/proxies/" + proxyId, "{\"allowFrom\":[\"127.0.0.1\"]}"));
        assertThat(httpStatus("site.example")).as("admitted: the echo service answers with the request itself")
                .isEqualTo(-1);
    }

    @Test
    void aDeniedUdpSendersDatagramsGoNowhere() throws Exception {
        int port = FreePorts.inRange(10000, 20000);
        long proxyId = createProxy("{\"name\":\"dns\",\"type\":\"udp\",\"localHost\":\"127.0.0.1\",\"localPort\":"
                + udpEcho.port() + ",\"remotePort\":" + port + ",\"denyFrom\":[\"127.0.0.1/32\"]}");
        try (DatagramSocket sender = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            sender.setSoTimeout(300);
            assertThat(udpEchoed(sender, port, 5)).as("denied: no answer to any of 5 tries").isFalse();
            body(200, server.send("PATCH", "/api/v1/proxies/" + proxyId, "{\"denyFrom\":[]}"));
            assertThat(udpEchoed(sender, port, 20)).isTrue();
        }
    }

    @Test
    void aBadEntryIsNamedAndNothingIsStored() throws Exception {
        int port = FreePorts.inRange(10000, 20000);
        var refused = server.send("POST", "/api/v1/clients/" + clientId + "/proxies", "{\"name\":\"bad\",\"type\":"
                + "\"tcp\",\"localHost\":\"127.0.0.1\",\"localPort\":1,\"remotePort\":" + port
                + ",\"denyFrom\":[\"10.0.0.0/8\",\"10.0.0.0/33\"]}");
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
        JsonNode problem = io.tunnelplane.server.support.Json.parse(refused.body());
        assertThat(problem.at("/errors/0/field").asString()).isEqualTo("denyFrom[1]");
        assertThat(problem.get("detail").asString()).contains("10.0.0.0/33").contains("0-32");
        assertThat(server.get("/api/v1/clients/" + clientId + "/proxies").body()).doesNotContain("\"bad\"");
    }

    private static long createProxy(String json) throws Exception {
        JsonNode proxy = body(201, server.send("POST", "/api/v1/clients/" + clientId + "/proxies", json));
        await().atMost(Duration.ofSeconds(10)).until(() -> body(200, server.get("/api/v1/proxies/"
                + proxy.get("id").asLong())).get("state").asString().equals("listening"));
        return proxy.get("id").asLong();
    }

    private static double refused() throws Exception {
        Matcher m = Pattern.compile("tunnel_connections_refused_total\\{reason=\"source_denied\"} ([0-9.E]+)")
                .matcher(server.get("/actuator/prometheus").body());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static String roundTrip(Socket visitor, String text) throws IOException {
        visitor.setSoTimeout(5_000);
        OutputStream out = visitor.getOutputStream();
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
        byte[] back = visitor.getInputStream().readNBytes(text.length());
        return new String(back, StandardCharsets.UTF_8);
    }

    /** The status of a GET through the HTTP virtual host, or -1 when the answer is not HTTP (our echo service). */
    private static int httpStatus(String host) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", httpPort)) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            String head = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            return head.startsWith("HTTP/1.1 ") ? Integer.parseInt(head.substring(9, 12)) : -1;
        }
    }

    private static boolean udpEchoed(DatagramSocket sender, int port, int tries) throws IOException {
        byte[] buffer = new byte[64];
        for (int i = 0; i < tries; i++) {
            sender.send(new DatagramPacket(new byte[] {7}, 1, new InetSocketAddress("127.0.0.1", port)));
            try {
                sender.receive(new DatagramPacket(buffer, buffer.length));
                return true;
            } catch (SocketTimeoutException noAnswer) {
                // try again: the change may still be on its way, or the sender is refused
            }
        }
        return false;
    }
}
