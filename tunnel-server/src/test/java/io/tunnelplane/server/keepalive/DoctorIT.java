package io.tunnelplane.server.keepalive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tunnelplane.agent.Agent;
import io.tunnelplane.agent.AgentCommand;
import io.tunnelplane.agent.ExitCode;
import io.tunnelplane.protocol.ProtocolVersion;
import io.tunnelplane.server.support.FaultyLink;
import io.tunnelplane.server.support.TestAgents;
import io.tunnelplane.server.support.TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code tunnel-agent doctor} against a real server: every check, and without disturbing the running agent. */
class DoctorIT {
    private static final String TOKEN = "doc.secret";
    private static final Path AGENT_JAR = Path.of("..", "tunnel-agent", "target", "tunnel-agent.jar");

    @Test
    void doctorChecksThePathWithoutTouchingTheLiveSession() throws Exception {
        Map<String, Object> props = TestServer.defaults();
        TestServer.client(props, "doc", TOKEN);
        try (TestServer server = TestServer.start(props)) {
            Agent agent = TestAgents.start(server.agentPort(), TOKEN, Duration.ofSeconds(2));
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> agent.metrics().isConnected());
                StringWriter output = new StringWriter();
                int code = doctor(output, "--server", "127.0.0.1:" + server.agentPort(), "--token", TOKEN,
                        "--server-pin", TestServer.KEY_PIN, "--probe-idle", "--idle-periods", "1s,2s");
                String report = output.toString();
                assertThat(code).as(report).isZero();
                assertThat(report).contains("DNS").contains("TCP").contains("speaks protocol " + ProtocolVersion.CURRENT)
                        .containsPattern("TLS +TLSv1.3 TLS_\\w+; TLS 1.3, server key pinned " + TestServer.KEY_PIN)
                        .containsPattern("CLOCK +server clock differs by [+-]?\\d+ ms: ok")
                        .contains("token accepted for client doc").contains("proved it knows the token")
                        .contains("idle 1 s: survived").contains("idle 2 s: survived")
                        .contains("RECOMMEND  no idle drop up to 2 s");
                // The doctor runs in this JVM: its host figures are ours, its kernel figures the machine's.
                long maxFiles = ((com.sun.management.UnixOperatingSystemMXBean) java.lang.management.ManagementFactory
                        .getOperatingSystemMXBean()).getMaxFileDescriptorCount();
                assertThat(report).containsPattern("HOST +(ok: )?open files \\d+ of limit " + maxFiles)
                        .contains("KERNEL     ").contains("tcp_keepalive_time="
                                + Files.readString(Path.of("/proc/sys/net/ipv4/tcp_keepalive_time")).strip() + "s");
                assertThat(agent.metrics().sessions()).as("doctor starts no session").isEqualTo(1);
                assertThat(agent.metrics().isConnected()).isTrue();

                StringWriter refused = new StringWriter();
                assertThat(doctor(refused, "--server", "127.0.0.1:" + server.agentPort(), "--token", "doc.wrong",
                        "--server-pin", TestServer.KEY_PIN))
                        .isEqualTo(ExitCode.AUTH_REFUSED);
                assertThat(refused.toString()).contains("REFUSED").contains("authentication failed");
            } finally {
                agent.stop();
            }
        }
    }

    @Test
    void doctorFindsTheIdleLimitOfAPathThatForgetsIdleConnections() throws Exception {
        Map<String, Object> props = TestServer.defaults();
        props.put("tunnel.server.keepalive.time", "15s");
        TestServer.client(props, "doc", TOKEN);
        try (TestServer server = TestServer.start(props); FaultyLink nat = new FaultyLink(server.agentPort())) {
            nat.expireIdle(Duration.ofSeconds(3)); // a NAT gateway that forgets a mapping idle for 3 s
            StringWriter output = new StringWriter();
            int code = doctor(output, "--server", "127.0.0.1:" + nat.port(), "--token", TOKEN,
                    "--server-pin", TestServer.KEY_PIN, "--probe-idle", "--idle-periods", "1s,2s,4s");
            String report = output.toString();
            assertThat(code).as(report).isZero();
            // The limit lies between two neighbouring steps of the ladder, and the advice probes inside it.
            assertThat(report).contains("idle 1 s: survived").contains("idle 2 s: survived")
                    .contains("idle 4 s: DROPPED")
                    .contains("RECOMMEND  the path drops idle connections after less than 4 s (idle 2 s survived):"
                            + " run the agent with --keepalive-time 2s");
        }
    }

    @Test
    void doctorSaysWhatToChangeWhenTheOpenFileLimitIsLow() throws Exception {
        Map<String, Object> props = TestServer.defaults();
        TestServer.client(props, "doc", TOKEN);
        try (TestServer server = TestServer.start(props)) {
            Process doctor = new ProcessBuilder("prlimit", "--nofile=512:512", "java", "-Xmx64m", "-jar",
                    AGENT_JAR.toString(), "doctor", "--server", "127.0.0.1:" + server.agentPort(), "--token", TOKEN,
                    "--server-pin", TestServer.KEY_PIN).redirectErrorStream(true).start();
            String report = new String(doctor.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(doctor.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(doctor.exitValue()).as(report).isZero();
            assertThat(report).containsPattern("HOST +open files \\d+ of limit 512: WARN the limit caps this agent")
                    .contains("ulimit -n 65536").contains("LimitNOFILE=65536");
        }
    }

    private static int doctor(StringWriter output, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "doctor";
        System.arraycopy(args, 0, all, 1, args.length);
        return new CommandLine(new AgentCommand()).setOut(new PrintWriter(output, true)).execute(all);
    }
}
