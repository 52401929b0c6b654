package io.tunnelplane.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PrintConfigTest {
    @Test
    void showsEachSettingWithItsSourceAndMasksTheToken(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("agent.properties");
        Files.writeString(file, "server=file.example:7000\ntoken=office.file-secret\nreconnect-max-delay=10s\n");
        StringWriter out = new StringWriter();
        int code = new CommandLine(new AgentCommand(Map.of("TUNNEL_TOKEN", "office.env-secret")))
                .setOut(new PrintWriter(out, true))
                .execute("--config", file.toString(), "--keepalive-time", "20s", "--print-config");
        String text = out.toString();
        assertThat(code).isZero();
        assertThat(text).containsPattern("server +file.example:7000 +file ")
                .containsPattern("token +office\\.\\*\\*\\*\\* +environment TUNNEL_TOKEN")
                .containsPattern("reconnect-max-delay +10000ms +file ")
                .containsPattern("keepalive-time +20000ms \\(server may raise it\\) +flag --keepalive-time")
                .containsPattern("keepalive-timeout +server decides at login +default")
                .doesNotContain("secret");
    }
}
