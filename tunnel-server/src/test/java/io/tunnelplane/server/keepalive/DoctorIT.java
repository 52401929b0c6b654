package io.tunnelplane.server.keepalive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tunnelplane.agent.Agent;
import io.tunnelplane.agent.AgentCommand;
import io.tunnelplane.agent.ExitCode;
import io.tunnelplane.server.support.TestAgents;
import io.tunnelplane.server.support.TestServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code tunnel-agent doctor} against a real server: every check, and without disturbing the running agent. */
class DoctorIT {
    private static final String TOKEN = "doc.secret";

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
                        "--probe-idle", "--idle-periods", "1s,2s");
                String report = output.toString();
                assertThat(code).as(report).isZero();
                assertThat(report).contains("DNS").contains("TCP").contains("speaks protocol 1")
                        .containsPattern("CLOCK +server clock differs by [+-]?\\d+ ms: ok")
                        .contains("token accepted for client doc").contains("proved it knows the token")
                        .contains("idle 1 s: survived").contains("idle 2 s: survived")
                        .contains("RECOMMEND  no idle drop up to 2 s");
                assertThat(agent.metrics().sessions()).as("doctor starts no session").isEqualTo(1);
                assertThat(agent.metrics().isConnected()).isTrue();

                StringWriter refused = new StringWriter();
                assertThat(doctor(refused, "--server", "127.0.0.1:" + server.agentPort(), "--token", "doc.wrong"))
                        .isEqualTo(ExitCode.AUTH_REFUSED);
                assertThat(refused.toString()).contains("REFUSED").contains("authentication failed");
            } finally {
                agent.stop();
            }
        }
    }

    private static int doctor(StringWriter output, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "doctor";
        System.arraycopy(args, 0, all, 1, args.length);
        return new CommandLine(new AgentCommand()).setOut(new PrintWriter(output, true)).execute(all);
    }
}
