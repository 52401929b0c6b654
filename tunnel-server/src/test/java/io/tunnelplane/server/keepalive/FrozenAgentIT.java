package io.tunnelplane.server.keepalive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tunnelplane.protocol.keepalive.KeepaliveRole;
import io.tunnelplane.protocol.keepalive.KeepaliveSettings;
import io.tunnelplane.server.support.FreePorts;
import io.tunnelplane.server.support.LocalService;
import io.tunnelplane.server.support.TestServer;
import io.tunnelplane.server.support.Visitor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The shipped agent jar as its own process: frozen with SIGSTOP it is found dead within the keepalive bound; after
 * SIGCONT it comes back by itself; SIGTERM stops it cleanly with exit code 0, telling the server on each of its
 * connections.
 */
class FrozenAgentIT {
    private static final String TOKEN = "frozen.secret";
    private static final Path AGENT_JAR = Path.of("..", "tunnel-agent", "target", "tunnel-agent.jar");

    @Test
    void frozenAgentIsDetectedAndRecovers() throws Exception {
        assertThat(AGENT_JAR).as("built by the reactor before the server's integration tests").exists();
        int publicPort = FreePorts.inRange(10000, 20000);
        try (LocalService echo = new LocalService(LocalService.Mode.ECHO)) {
            Map<String, Object> props = TestServer.defaults();
            props.put("tunnel.server.keepalive.time", "1s");
            props.put("tunnel.server.keepalive.timeout", "1s");
            TestServer.client(props, "frozen", TOKEN);
            TestServer.proxy(props, 0, "echo", echo.port(), publicPort);
            try (TestServer server = TestServer.start(props)) {
                Path log = Files.createTempFile("agent", ".log");
                ProcessBuilder builder = new ProcessBuilder("java", "-XX:+UseSerialGC", "-Xmx64m", "-jar",
                        AGENT_JAR.toString(), "--server", "127.0.0.1:" + server.agentPort(),
                        "--reconnect-max-delay", "2s", "--connections", "2")
                        .redirectErrorStream(true).redirectOutput(log.toFile());
                builder.environment().put("TUNNEL_TOKEN", TOKEN); // secrets via the environment, not argv
                builder.environment().put("TUNNEL_SERVER_PIN", TestServer.KEY_PIN);
                Process agent = builder.start();
                try {
                    Visitor.awaitEcho(publicPort, Duration.ofSeconds(20));
                    signal(agent, "STOP");
                    Duration bound = KeepaliveSettings.of(Duration.ofSeconds(1), Duration.ofSeconds(1))
                            .detectionBound(KeepaliveRole.LEAD).plusSeconds(2);
                    try {
                        // Both connections of the set are frozen with the process: each is found dead on its own.
                        await().atMost(bound).untilAsserted(() -> assertThat(server.get("/actuator/prometheus").body())
                                .containsPattern("tunnel_keepalive_timeouts_total\\{client=\"frozen\",side=\"server\"} 2\\.0"));
                    } finally {
                        signal(agent, "CONT");
                    }
                    Visitor.awaitEcho(publicPort, Duration.ofSeconds(20));
                    // Both connections back, so the clean stop below is told on each.
                    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                            server.get("/actuator/prometheus").body()).contains("tunnel_sessions_active 2.0"));
                } finally {
                    agent.destroy(); // SIGTERM
                    assertThat(agent.waitFor(15, TimeUnit.SECONDS)).isTrue();
                }
                assertThat(agent.exitValue()).as(Files.readString(log)).isZero();
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                        server.get("/actuator/prometheus").body())
                        .containsPattern("tunnel_disconnects_total\\{agent_version=\"[^\"]*\",cause=\"agent_shutdown\"} 2\\.0"));
            }
        }
    }

    private static void signal(Process process, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start();
        assertThat(kill.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

}
