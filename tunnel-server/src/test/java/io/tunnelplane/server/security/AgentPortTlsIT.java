package io.tunnelplane.server.security;

import static io.tunnelplane.server.support.Json.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tunnelplane.agent.Agent;
import io.tunnelplane.agent.AgentTls;
import io.tunnelplane.agent.ExitCode;
import io.tunnelplane.protocol.handshake.AgentToken;
import io.tunnelplane.protocol.tls.KeyPin;
import io.tunnelplane.server.support.FaultyLink;
import io.tunnelplane.server.support.FreePorts;
import io.tunnelplane.server.support.LocalService;
import io.tunnelplane.server.support.TestAgents;
import io.tunnelplane.server.support.TestServer;
import io.tunnelplane.server.support.Visitor;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** TLS on the agent port by default: a created key that tokens pin, refusal of any other key, nothing in clear. */
class AgentPortTlsIT {

    /** A server as shipped: no certificate configured, so it creates and keeps its own in {@code dir}. */
    private static Map<String, Object> withCreatedKey(Path dir) {
        Map<String, Object> props = TestServer.defaults();
        props.remove("tunnel.server.tls.certificate");
        props.remove("tunnel.server.tls.private-key");
        props.put("tunnel.server.tls.generated-directory", dir.toString());
        return props;
    }

    @Test
    void aServerWithoutACertificateCreatesAKeyKeepsItAndItsTokensPinIt(@TempDir Path dir) throws Exception {
        int publicPort = FreePorts.inRange(10000, 20000);
        String pin;
        try (LocalService echo = new LocalService(LocalService.Mode.ECHO);
                TestServer server = TestServer.start(withCreatedKey(dir))) {
            Path key = dir.resolve("agent-port.key");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
            pin = pinOf(dir.resolve("agent-port.crt"));
            assertThat(pin).isNotEqualTo(TestServer.KEY_PIN);

            JsonNode created = body(201, server.send("POST", "/api/v1/clients", "{\"name\":\"pinned\"}"));
            assertThat(created.get("serverKeyPin").asString()).isEqualTo(pin);
            String token = created.get("token").asString();
            assertThat(token).endsWith("~" + pin);
            body(201, server.send("POST", "/api/v1/clients/" + created.get("id").asLong() + "/proxies",
                    "{\"name\":\"echo\",\"type\":\"tcp\",\"localHost\":\"127.0.0.1\",\"localPort\":" + echo.port()
                            + ",\"remotePort\":" + publicPort + "}"));
            // --server and --token are all the agent gets: the token's pin is what it trusts.
            Agent agent = new Agent(TestAgents.settings(server.agentPort(), token, Duration.ofSeconds(2))
                    .withTls(new AgentTls(true, AgentToken.parse(token).serverPin(), null, null, null)));
            agent.start();
            try {
                Visitor.awaitEcho(publicPort, Duration.ofSeconds(10));
            } finally {
                agent.stop();
            }
        }
        try (TestServer restarted = TestServer.start(withCreatedKey(dir))) {
            assertThat(pinOf(dir.resolve("agent-port.crt"))).as("the key survives a restart").isEqualTo(pin);
        }
    }

    @Test
    void anAgentRefusesAServerWhoseKeyIsNotThePinnedOne(@TempDir Path dir) throws Exception {
        Map<String, Object> props = withCreatedKey(dir); // a key of its own, not the test key the token pins
        TestServer.client(props, "victim", "victim.secret");
        try (TestServer impostor = TestServer.start(props)) {
            Agent agent = new Agent(TestAgents.settings(impostor.agentPort(),
                    "victim.secret~" + TestServer.KEY_PIN, Duration.ofSeconds(1)));
            int exit = agent.start().get(20, TimeUnit.SECONDS);
            assertThat(exit).isEqualTo(ExitCode.SERVER_UNTRUSTED);
            assertThat(agent.metrics().sessions()).as("no session, no login sent").isZero();
            String metrics = impostor.get("/actuator/prometheus").body();
            assertThat(metrics).containsPattern("tunnel_logins_refused_total\\{reason=\"tls_failed\"} 1\\.0")
                    .doesNotContain("tunnel_logins_refused_total{reason=\"auth_failed\"}");
        }
    }

    @Test
    void withAClientCaOnlyAgentsPresentingACertificateItIssuedGetIn() throws Exception {
        Map<String, Object> props = TestServer.defaults();
        // The test certificate is self-signed, so it is its own CA: agents holding its key may log in.
        props.put("tunnel.server.tls.client-ca", TestServer.CERTIFICATE);
        TestServer.client(props, "mutual", "mutual.secret");
        try (TestServer server = TestServer.start(props)) {
            Agent without = new Agent(TestAgents.settings(server.agentPort(), "mutual.secret", Duration.ofSeconds(1)));
            without.start();
            try {
                // Refused in the TLS handshake, again at every retry; never logged in.
                await().atMost(Duration.ofSeconds(20)).until(() -> server.get("/actuator/prometheus").body()
                        .matches("(?s).*tunnel_logins_refused_total\\{reason=\"tls_failed\"} [2-9].*"));
                assertThat(without.metrics().sessions()).isZero();
            } finally {
                without.stop();
            }
            Agent with = new Agent(TestAgents.settings(server.agentPort(), "mutual.secret", Duration.ofSeconds(1))
                    .withTls(new AgentTls(true, TestServer.KEY_PIN, null, TestServer.CERTIFICATE,
                            TestServer.PRIVATE_KEY)));
            with.start();
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> with.metrics().isConnected());
            } finally {
                with.stop();
            }
        }
    }

    @Test
    void aPassiveTapOnTheAgentPortSeesNeitherTokenNorPayload() throws Exception {
        String secret = "victim.Zq8vT3kP0wLm2s7Yx4Rb6Nc1Hd9Jf5Ge";
        String payload = "PAYLOAD-" + "the quarterly numbers are confidential".repeat(20);
        assertThat(tapped(true, secret, payload)).doesNotContain(payload).doesNotContain("Zq8vT3kP0wLm2s7Yx4Rb6Nc1")
                .doesNotContain("victim").doesNotContain("PAYLOAD-");
        // The same tap on a plain-TCP agent port does see the payload: the check above can fail.
        assertThat(tapped(false, secret, payload)).contains(payload).doesNotContain("Zq8vT3kP0wLm2s7Yx4Rb6Nc1");
    }

    /** Runs one echo exchange through an agent whose session crosses a tap; returns what the tap saw. */
    private static String tapped(boolean tls, String token, String payload) throws Exception {
        int publicPort = FreePorts.inRange(10000, 20000);
        try (LocalService echo = new LocalService(LocalService.Mode.ECHO)) {
            Map<String, Object> props = TestServer.defaults();
            props.put("tunnel.server.tls.enabled", tls);
            TestServer.client(props, "victim", token);
            TestServer.proxy(props, 0, "echo", echo.port(), publicPort);
            try (TestServer server = TestServer.start(props); FaultyLink tap = new FaultyLink(server.agentPort())) {
                tap.tap();
                Agent agent = new Agent(TestAgents.settings(tap.port(), token, Duration.ofSeconds(1))
                        .withTls(tls ? AgentTls.pinned(TestServer.KEY_PIN) : AgentTls.INSECURE));
                agent.start();
                try {
                    Visitor.awaitEcho(publicPort, Duration.ofSeconds(10));
                    byte[] sent = payload.getBytes(StandardCharsets.UTF_8);
                    assertThat(Visitor.exchange(publicPort, sent)).isEqualTo(sent);
                    await().atMost(Duration.ofSeconds(5)).until(() -> new String(tap.tapped(),
                            StandardCharsets.ISO_8859_1).length() > 2 * sent.length);
                } finally {
                    agent.stop();
                }
                byte[] wire = tap.tapped();
                if (tls) {
                    assertThat(wire[0]).as("a TLS handshake record opens the connection").isEqualTo((byte) 0x16);
                }
                return new String(wire, StandardCharsets.ISO_8859_1);
            }
        }
    }

    private static String pinOf(Path certificate) throws Exception {
        try (InputStream in = Files.newInputStream(certificate)) {
            return KeyPin.of((X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
    }
}
