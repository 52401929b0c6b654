package io.tunnelplane.server.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tunnelplane.agent.Agent;
import io.tunnelplane.server.support.FreePorts;
import io.tunnelplane.server.support.LocalService;
import io.tunnelplane.server.support.TestAgents;
import io.tunnelplane.server.support.TestServer;
import io.tunnelplane.server.support.Visitor;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Limits are stated up front and enforced visibly: a startup warning about the open-file limit, counted refusals. */
class ResourceLimitsIT {
    private static final Path SERVER_JAR = Path.of("target", "tunnel-server.jar");

    @Test
    void connectionsBeyondTheLimitAreRefusedAndCountedWhileEstablishedOnesServe() throws Exception {
        int publicPort = FreePorts.inRange(10000, 20000);
        try (LocalService echo = new LocalService(LocalService.Mode.ECHO)) {
            Map<String, Object> props = TestServer.defaults();
            props.put("tunnel.server.max-connections", 3); // the agent's session + two visitors
            TestServer.client(props, "limited", "limited.secret");
            TestServer.proxy(props, 0, "echo", echo.port(), publicPort);
            try (TestServer server = TestServer.start(props)) {
                Agent agent = TestAgents.start(server.agentPort(), "limited.secret", Duration.ofSeconds(2));
                Visitor.awaitEcho(publicPort, Duration.ofSeconds(20));
                // Each visitor of awaitEcho closed again: wait until only the session's connection is counted.
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(server.get("/actuator/prometheus")
                        .body()).containsPattern("tunnel_connections_open 1\\.0"));
                try (Socket first = Visitor.connect(publicPort); Socket second = Visitor.connect(publicPort)) {
                    roundTrip(first);
                    roundTrip(second);
                    try (Socket third = Visitor.connect(publicPort)) {
                        assertThat(Visitor.turnedAwayAfterSending(third, new byte[] {'x'})).isTrue();
                    }
                    roundTrip(first); // the established ones keep serving
                    roundTrip(second);
                    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                            server.get("/actuator/prometheus").body()).containsPattern(
                            "tunnel_connections_refused_total\\{reason=\"max_connections\"} [1-9]"));
                    assertThat(server.get("/actuator/prometheus").body())
                            .containsPattern("tunnel_event_loop_pending_tasks\\{loop=\"0\"} \\d");
                } finally {
                    agent.stop();
                }
            }
        }
    }

    @Test
    void aLowOpenFileLimitIsReportedAtStartupWithTheFix(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("server.log");
        Process server = new ProcessBuilder("prlimit", "--nofile=1024:1024", "java", "-jar", SERVER_JAR.toString(),
                "--server.port=0", "--tunnel.server.bind-port=0", "--tunnel.server.bind-address=127.0.0.1",
                "--spring.datasource.url=jdbc:h2:mem:limits", "--tunnel.api.admin-token=x",
                "--tunnel.server.tls.certificate=" + TestServer.CERTIFICATE,
                "--tunnel.server.tls.private-key=" + TestServer.PRIVATE_KEY)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(log).contains("Started "));
            assertThat(Files.readString(log)).contains("open-file limit is 1024")
                    .contains("tunnel.server.max-connections=20000").contains("ulimit -n 20256");
        } finally {
            server.destroy();
            server.waitFor();
        }
    }

    private static void roundTrip(Socket socket) throws Exception {
        OutputStream out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        out.write("ping".getBytes());
        assertThat(in.readNBytes(4)).isEqualTo("ping".getBytes());
    }
}
