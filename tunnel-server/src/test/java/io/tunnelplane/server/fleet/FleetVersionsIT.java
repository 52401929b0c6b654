package io.tunnelplane.server.fleet;

import static io.tunnelplane.server.support.Json.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.tunnelplane.protocol.ProtocolVersion;
import io.tunnelplane.protocol.handshake.AgentHost;
import io.tunnelplane.protocol.handshake.AgentToken;
import io.tunnelplane.protocol.handshake.HandshakeCodec;
import io.tunnelplane.protocol.handshake.Login;
import io.tunnelplane.protocol.handshake.LoginRefused;
import io.tunnelplane.protocol.handshake.ServerHello;
import io.tunnelplane.protocol.handshake.TokenProof;
import io.tunnelplane.server.support.TestServer;
import java.io.DataInputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Which agent runs which version, on what: in the API, filterable, and as a per-version gauge. */
class FleetVersionsIT {
    private static final Path AGENT_JAR = Path.of("..", "tunnel-agent", "target", "tunnel-agent.jar");

    @Test
    void twoAgentVersionsAreListedFilteredAndCounted() throws Exception {
        try (TestServer server = TestServer.start(TestServer.defaults())) {
            JsonNode a = body(201, server.send("POST", "/api/v1/clients", "{\"name\":\"current\"}"));
            JsonNode b = body(201, server.send("POST", "/api/v1/clients", "{\"name\":\"legacy\"}"));
            ProcessBuilder builder = new ProcessBuilder("java", "-Xmx64m", "-jar", AGENT_JAR.toString(),
                    "--server", "127.0.0.1:" + server.agentPort()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            builder.environment().put("TUNNEL_TOKEN", a.get("token").asString());
            Process packaged = builder.start();
            // An older agent: a login that reports version 0.0.9 and then keeps its connection open.
            try (Socket legacy = login(server, AgentToken.parse(b.get("token").asString()), "0.0.9")) {
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                    assertThat(body(200, server.get("/api/v1/clients/" + a.get("id").asLong())).at("/live/online")
                            .asBoolean()).isTrue();
                    assertThat(body(200, server.get("/api/v1/clients/" + b.get("id").asLong())).at("/live/online")
                            .asBoolean()).isTrue();
                });
                JsonNode live = body(200, server.get("/api/v1/clients/" + a.get("id").asLong())).get("live");
                String version = live.get("agentVersion").asString();
                assertThat(version).isNotEqualTo("0.0.9").isNotEmpty();
                assertThat(live.get("agentOs").asString()).contains(System.getProperty("os.name"));
                assertThat(live.get("agentJvm").asString()).contains(System.getProperty("java.version"));
                assertThat(live.get("uptimeSeconds").asLong()).isNotNegative();

                assertThat(body(200, server.get("/api/v1/clients?agentVersion=" + version)).get("content"))
                        .extracting(c -> c.get("name").asString()).containsExactly("current");
                assertThat(body(200, server.get("/api/v1/clients?agentVersion=0.0.9")).get("content"))
                        .extracting(c -> c.get("name").asString()).containsExactly("legacy");
                assertThat(server.get("/actuator/prometheus").body())
                        .containsPattern("tunnel_agents\\{version=\"0\\.0\\.9\"} 1\\.0")
                        // The packaged agent keeps its default set of two sessions; the bare login is one.
                        .containsPattern("tunnel_agents\\{version=\"" + Pattern.quote(version) + "\"} 2\\.0");
            } finally {
                packaged.destroy();
                packaged.waitFor(15, TimeUnit.SECONDS);
            }
        }
    }

    /** A bare login over a plain socket; the caller holds the connection open as long as it wants the session. */
    private static Socket login(TestServer server, AgentToken token, String version) throws Exception {
        Socket socket = server.openAgentSocket();
        DataInputStream in = new DataInputStream(socket.getInputStream());
        byte[] frame = new byte[in.readInt()];
        in.readFully(frame);
        ServerHello hello = (ServerHello) HandshakeCodec.decode(Unpooled.wrappedBuffer(frame));
        byte[] agentNonce = TokenProof.newNonce();
        write(socket, new Login(ProtocolVersion.CURRENT, token.clientId(), agentNonce, TokenProof.agentProof(token.key(), token.clientId(),
                hello.nonce(), agentNonce), version, "none", 1, 0, 0, 0, new AgentHost("OldOS", "OldJVM", "old"), "c1", 1));
        return socket;
    }

    private static void write(Socket socket, Login login) throws Exception {
        ByteBuf encoded = HandshakeCodec.encode(login, ByteBufAllocator.DEFAULT);
        byte[] bytes = new byte[encoded.readableBytes()];
        encoded.readBytes(bytes);
        encoded.release();
        socket.getOutputStream().write(bytes);
    }

    @Test
    void anAgentOfAnotherProtocolVersionIsToldBothVersions() throws Exception {
        try (TestServer server = TestServer.start(TestServer.defaults());
                Socket socket = server.openAgentSocket()) {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] hello = new byte[in.readInt()];
            in.readFully(hello);
            write(socket, new Login(0, "old", TokenProof.newNonce(), new byte[32], "0.0.1", "none", 1, 0, 0, 0,
                    AgentHost.UNKNOWN, "c1", 1));
            byte[] answer = new byte[in.readInt()];
            in.readFully(answer);
            LoginRefused refused = (LoginRefused) HandshakeCodec.decode(Unpooled.wrappedBuffer(answer));
            assertThat(refused.code()).isEqualTo(LoginRefused.PROTOCOL_VERSION);
            assertThat(refused.message()).contains("protocol " + ProtocolVersion.CURRENT).contains("agent speaks 0");
            assertThat(server.get("/actuator/prometheus").body())
                    .containsPattern("tunnel_logins_refused_total\\{reason=\"protocol_version\"} 1\\.0");
        }
    }
}
