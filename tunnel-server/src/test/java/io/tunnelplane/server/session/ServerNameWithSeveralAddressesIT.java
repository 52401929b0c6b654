package io.tunnelplane.server.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
 * {@code --server tunnel.test:PORT} where the name has two addresses (the agent process reads a hosts file): the
 * agent takes them for two servers and keeps a connection to each, so both serve the proxy.
 */
class ServerNameWithSeveralAddressesIT {
    private static final String TOKEN = "named.secret";
    private static final Path AGENT_JAR = Path.of("..", "tunnel-agent", "target", "tunnel-agent.jar");

    private static Map<String, Object> node(String address, int agentPort, int echoPort, int publicPort) {
        Map<String, Object> props = TestServer.defaults();
        props.put("tunnel.server.bind-address", address);
        props.put("tunnel.server.bind-port", agentPort);
        props.put("tunnel.server.proxy-bind-address", address);
        TestServer.client(props, "named", TOKEN);
        TestServer.proxy(props, 0, "echo", echoPort, publicPort);
        return props;
    }

    @Test
    void aNameWithTwoAddressesIsTwoServers() throws Exception {
        assertThat(AGENT_JAR).as("built by the reactor before the server's integration tests").exists();
        int agentPort = FreePorts.inRange(20000, 30000);
        int publicPort = FreePorts.inRange(10000, 20000);
        Path hosts = Files.createTempFile("hosts", "");
        Files.writeString(hosts, "127.0.0.2 tunnel.test\n127.0.0.3 tunnel.test\n");
        try (LocalService echo = new LocalService(LocalService.Mode.ECHO);
                TestServer a = TestServer.start(node("127.0.0.2", agentPort, echo.port(), publicPort));
                TestServer b = TestServer.start(node("127.0.0.3", agentPort, echo.port(), publicPort))) {
            Path log = Files.createTempFile("agent", ".log");
            ProcessBuilder builder = new ProcessBuilder("java", "-XX:+UseSerialGC", "-Xmx64m",
                    "-Djdk.net.hosts.file=" + hosts, "-jar", AGENT_JAR.toString(),
                    "--server", "tunnel.test:" + agentPort, "--connections", "2", "--reconnect-max-delay", "1s")
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("TUNNEL_TOKEN", TOKEN);
            builder.environment().put("TUNNEL_SERVER_PIN", TestServer.KEY_PIN);
            Process agent = builder.start();
            try {
                Visitor.awaitEcho("127.0.0.2", publicPort, Duration.ofSeconds(20));
                Visitor.awaitEcho("127.0.0.3", publicPort, Duration.ofSeconds(20));
                for (TestServer node : new TestServer[] {a, b}) {
                    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                            node.get("/actuator/prometheus").body()).contains("tunnel_sessions_active 1.0"));
                }
                assertThat(Files.readString(log)).contains("servers [tunnel.test:" + agentPort + "] now stand for "
                        + "[tunnel.test:" + agentPort + " (127.0.0.2), tunnel.test:" + agentPort + " (127.0.0.3)]");
            } finally {
                agent.destroy();
                assertThat(agent.waitFor(15, TimeUnit.SECONDS)).isTrue();
            }
        } finally {
            Files.deleteIfExists(hosts);
        }
    }
}
