package io.tunnelplane.server.security;

import static io.tunnelplane.server.support.Json.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.tunnelplane.agent.Agent;
import io.tunnelplane.agent.AgentTls;
import io.tunnelplane.protocol.ProtocolVersion;
import io.tunnelplane.protocol.handshake.AgentHost;
import io.tunnelplane.protocol.handshake.AgentToken;
import io.tunnelplane.protocol.handshake.HandshakeCodec;
import io.tunnelplane.protocol.handshake.HandshakeMessage;
import io.tunnelplane.protocol.handshake.Login;
import io.tunnelplane.protocol.handshake.LoginAccepted;
import io.tunnelplane.protocol.handshake.LoginRefused;
import io.tunnelplane.protocol.handshake.ServerHello;
import io.tunnelplane.protocol.handshake.TokenProof;
import io.tunnelplane.server.support.FreePorts;
import io.tunnelplane.server.support.LocalService;
import io.tunnelplane.server.support.TestAgents;
import io.tunnelplane.server.support.TestServer;
import io.tunnelplane.server.support.Visitor;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Attacks on the agent port from 127.0.0.2 while the real agent works from 127.0.0.1: brute force, floods of
 * unauthenticated connections, garbage. Loopback carries the whole 127/8 on Linux, so these are two hosts.
 */
class LoginDefenceIT {
    private static final String ATTACKER = "127.0.0.2";

    @Test
    void aThousandWrongLoginsAreThrottledWhileTheRealAgentKeepsWorking() throws Exception {
        int publicPort = FreePorts.inRange(10000, 20000);
        Map<String, Object> props = TestServer.defaults();
        props.put("tunnel.server.login.lockout-base", "1m"); // no lock may expire while the test looks at it
        try (LocalService echo = new LocalService(LocalService.Mode.ECHO); TestServer server = TestServer.start(props)) {
            JsonNode created = body(201, server.send("POST", "/api/v1/clients", "{\"name\":\"victim\"}"));
            long id = created.get("id").asLong();
            String token = created.get("token").asString();
            body(201, server.send("POST", "/api/v1/clients/" + id + "/proxies", "{\"name\":\"echo\",\"type\":\"tcp\","
                    + "\"localHost\":\"127.0.0.1\",\"localPort\":" + echo.port() + ",\"remotePort\":" + publicPort + "}"));
            Agent agent = TestAgents.start(server.agentPort(), token, Duration.ofSeconds(1));
            try {
                Visitor.awaitEcho(publicPort, Duration.ofSeconds(10));
                int answered = 0;
                int cutOff = 0;
                for (int i = 0; i < 1000; i++) {
                    if (i % 100 == 0) {
                        Visitor.awaitEcho(publicPort, Duration.ofSeconds(5)); // the agent works throughout
                    }
                    LoginRefused refused = wrongLogin(server, ATTACKER, "victim");
                    if (refused != null) {
                        assertThat(refused.message()).isEqualTo("authentication failed");
                        answered++;
                    } else {
                        cutOff++;
                    }
                }
                String metrics = server.get("/actuator/prometheus").body();
                long checked = counter(metrics, "tunnel_logins_refused_total\\{reason=\"auth_failed\"}");
                long lockedOut = counter(metrics, "tunnel_connections_refused_total\\{reason=\"locked_out\"}");
                // Five guesses were checked, then the address was locked out: the other 995 never got a TLS
                // handshake, let alone a proof check.
                assertThat(checked).isEqualTo(5);
                assertThat(answered).isEqualTo(5);
                assertThat(lockedOut).isEqualTo(cutOff).isEqualTo(995);

                // The client name is locked too, but not for the address its agent logs in from: a kicked agent
                // comes straight back, while the right token from an unknown address is refused for now.
                assertThat(body(200, server.send("POST", "/api/v1/clients/" + id + "/disconnect", null))
                        .get("wasOnline").asBoolean()).isTrue();
                await().atMost(Duration.ofSeconds(10)).until(() -> agent.metrics().sessions() == 2
                        && agent.metrics().isConnected());
                Visitor.awaitEcho(publicPort, Duration.ofSeconds(10));
                assertThat(agent.metrics().sessions()).isEqualTo(2);
                LoginRefused fromElsewhere = login(server, "127.0.0.3", AgentToken.parse(token));
                assertThat(fromElsewhere).isNotNull();
                assertThat(fromElsewhere.message()).isEqualTo("authentication failed");
                assertThat(server.get("/actuator/prometheus").body())
                        .containsPattern("tunnel_logins_refused_total\\{reason=\"locked_out\"} 1\\.0");
            } finally {
                agent.stop();
            }
        }
    }

    @Test
    void floodsGarbageAndMalformedSessionsAreBoundedAndTheRealAgentIsNotDisturbed() throws Exception {
        int publicPort = FreePorts.inRange(10000, 20000);
        try (LocalService echo = new LocalService(LocalService.Mode.ECHO)) {
            Map<String, Object> props = TestServer.defaults();
            props.put("tunnel.server.handshake-timeout", "2s");
            props.put("tunnel.server.login.max-pending-per-address", 20);
            TestServer.client(props, "steady", "steady.secret");
            TestServer.proxy(props, 0, "echo", echo.port(), publicPort);
            props.put("tunnel.server.clients[1].name", "rogue");
            props.put("tunnel.server.clients[1].token", "rogue.secret");
            try (TestServer server = TestServer.start(props)) {
                List<Socket> silent = new ArrayList<>();
                try {
                    // Slowloris: connections that never finish (or never start) a handshake.
                    for (int i = 0; i < 200; i++) {
                        Socket socket = new Socket();
                        silent.add(socket);
                        try {
                            socket.bind(new InetSocketAddress(ATTACKER, 0));
                            socket.connect(new InetSocketAddress("127.0.0.1", server.agentPort()), 5_000);
                            if (i % 2 == 0) {
                                socket.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02}); // half a record
                            }
                        } catch (IOException resetAtOnce) {
                            // refused: what the limit is for
                        }
                    }
                    Agent agent = TestAgents.start(server.agentPort(), "steady.secret", Duration.ofSeconds(1));
                    try {
                        Visitor.awaitEcho(publicPort, Duration.ofSeconds(10));
                        // 20 admitted from the attacker's address, the other 180 reset at accept.
                        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(counter(server.get(
                                "/actuator/prometheus").body(), "tunnel_connections_refused_total\\{reason="
                                + "\"pending_logins\"}")).isEqualTo(180));
                        // Every admitted silent connection is closed by the handshake timeout, none lingers.
                        for (Socket socket : silent) {
                            if (socket.isConnected() && !socket.isClosed()) {
                                socket.setSoTimeout(10_000);
                                assertThat(Visitor.endsWithoutHanging(socket.getInputStream())).isTrue();
                            }
                        }
                        // Garbage, a TLS-speaking agent with an oversized frame, random bytes: each is closed.
                        Random random = new Random(42);
                        for (int i = 0; i < 50; i++) {
                            byte[] junk = new byte[1 + random.nextInt(4096)];
                            random.nextBytes(junk);
                            try (Socket socket = from(ATTACKER, server.agentPort())) {
                                socket.setSoTimeout(10_000);
                                assertThat(Visitor.turnedAwayAfterSending(socket, junk)).isTrue();
                            }
                        }
                        try (Socket tls = server.openAgentSocket()) {
                            tls.setSoTimeout(10_000);
                            readFrame(new DataInputStream(tls.getInputStream()));
                            tls.getOutputStream().write(new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1});
                            assertThat(Visitor.endsWithoutHanging(tls.getInputStream())).isTrue();
                        }
                        // A logged-in peer that then sends garbage instead of HTTP/2 loses its own session only.
                        try (Socket rogue = server.openAgentSocket()) {
                            rogue.setSoTimeout(10_000);
                            DataInputStream in = new DataInputStream(rogue.getInputStream());
                            ServerHello hello = (ServerHello) readFrame(in);
                            rogue.getOutputStream().write(loginFrame(AgentToken.parse("rogue.secret"), hello));
                            assertThat(readFrame(in)).isInstanceOf(LoginAccepted.class);
                            byte[] junk = new byte[256];
                            new Random(7).nextBytes(junk);
                            rogue.getOutputStream().write(junk);
                            assertThat(Visitor.endsWithoutHanging(rogue.getInputStream())).isTrue();
                        }
                        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(server.get(
                                "/actuator/prometheus").body()).containsPattern(
                                "tunnel_disconnects_total\\{agent_version=\"attacker\",cause=\"protocol_error\"} 1\\.0"));
                        String metrics = server.get("/actuator/prometheus").body();
                        assertThat(counter(metrics, "tunnel_logins_refused_total\\{reason=\"tls_failed\"}"))
                                .isGreaterThanOrEqualTo(40);
                        assertThat(counter(metrics, "tunnel_logins_refused_total\\{reason=\"protocol_error\"}"))
                                .isEqualTo(1);
                        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(server.get(
                                "/actuator/prometheus").body()).contains("tunnel_logins_pending 0.0"));
                        Visitor.awaitEcho(publicPort, Duration.ofSeconds(5));
                        assertThat(agent.metrics().sessions()).as("the agent was never disconnected").isEqualTo(1);
                    } finally {
                        agent.stop();
                    }
                } finally {
                    for (Socket socket : silent) {
                        socket.close();
                    }
                }
            }
        }
    }

    private static Socket from(String source, int port) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(source, 0));
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        return socket;
    }

    /** A login with a wrong secret; the refusal, or null when the server cut the connection first. */
    private static LoginRefused wrongLogin(TestServer server, String source, String client) {
        return login(server, source, AgentToken.parse(client + ".wrong-guess"));
    }

    private static LoginRefused login(TestServer server, String source, AgentToken token) {
        try (Socket plain = from(source, server.agentPort());
                Socket socket = AgentTls.pinned(TestServer.KEY_PIN).wrap(plain, "127.0.0.1", server.agentPort())) {
            socket.setSoTimeout(10_000);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            ServerHello hello = (ServerHello) readFrame(in);
            socket.getOutputStream().write(loginFrame(token, hello));
            return readFrame(in) instanceof LoginRefused refused ? refused : null;
        } catch (IOException closed) {
            return null;
        }
    }

    private static byte[] loginFrame(AgentToken token, ServerHello hello) {
        byte[] agentNonce = TokenProof.newNonce();
        ByteBuf frame = HandshakeCodec.encode(new Login(ProtocolVersion.CURRENT, token.clientId(), agentNonce,
                TokenProof.agentProof(token.key(), token.clientId(), hello.nonce(), agentNonce), "attacker",
                "none", 0, 0, 0, 0, AgentHost.UNKNOWN, "c1", 1), ByteBufAllocator.DEFAULT);
        try {
            byte[] bytes = new byte[frame.readableBytes()];
            frame.readBytes(bytes);
            return bytes;
        } finally {
            frame.release();
        }
    }

    private static HandshakeMessage readFrame(DataInputStream in) throws IOException {
        byte[] body = new byte[in.readInt()];
        in.readFully(body);
        return HandshakeCodec.decode(Unpooled.wrappedBuffer(body));
    }

    private static long counter(String metrics, String name) {
        Matcher matcher = Pattern.compile(name + " (\\d+)\\.0").matcher(metrics);
        return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
    }
}
