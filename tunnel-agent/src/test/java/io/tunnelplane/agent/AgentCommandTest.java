package io.tunnelplane.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class AgentCommandTest {

    private static AgentSettings resolve(Map<String, String> env, String... args) {
        AgentCommand command = new AgentCommand(env);
        new CommandLine(command).parseArgs(args);
        return command.resolve();
    }

    @Test
    void flagsWin() {
        AgentSettings settings = resolve(Map.of("TUNNEL_SERVER", "env:1"), "--server", "tunnel.example:7000",
                "--token", "office.secret", "--reconnect-max-delay", "5s");
        assertThat(settings.serverHost()).isEqualTo("tunnel.example");
        assertThat(settings.serverPort()).isEqualTo(7000);
        assertThat(settings.token().clientId()).isEqualTo("office");
        assertThat(settings.reconnectCap()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void environmentBeatsTheConfigFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("agent.properties");
        Files.writeString(file, "server=file.example:7000\ntoken=file.secret\nkeepalive-time=9s\n");
        AgentSettings settings = resolve(Map.of("TUNNEL_SERVER", "[::1]:7001"), "--config", file.toString());
        assertThat(settings.serverHost()).isEqualTo("::1");
        assertThat(settings.serverPort()).isEqualTo(7001);
        assertThat(settings.token().clientId()).isEqualTo("file");
        assertThat(settings.keepaliveTime()).isEqualTo(Duration.ofSeconds(9));
        assertThat(settings.reconnectCap()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void aMisspeltConfigKeyStopsTheAgentWithExit2AndTheKeyItMeant(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("agent.properties");
        Files.writeString(file, "server=h.example:7000\ntoken=office.secret\nkeepalive-tmie=5s\n");
        java.io.StringWriter err = new java.io.StringWriter();
        CommandLine command = new CommandLine(new AgentCommand(Map.of()));
        command.setErr(new java.io.PrintWriter(err, true));

        int exit = command.execute("--config", file.toString(), "--print-config");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("unknown key 'keepalive-tmie'")
                .contains("did you mean keepalive-time?").contains(file.toString());
    }

    @Test
    void aConfigKeyFarFromEveryKnownOneListsTheKnownKeys(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("agent.properties");
        Files.writeString(file, "server=h.example:7000\ntoken=office.secret\ncolour=blue\n");
        assertThatThrownBy(() -> resolve(Map.of(), "--config", file.toString()))
                .hasMessageContaining("unknown key 'colour'").hasMessageContaining("known keys: server, connections");
    }

    @Test
    void everyBadValueNamesItsOption() {
        assertThatThrownBy(() -> resolve(Map.of(), "--token", "a.b")).hasMessageContaining("--server");
        assertThatThrownBy(() -> resolve(Map.of(), "--server", "host")).hasMessageContaining("HOST:PORT");
        assertThatThrownBy(() -> resolve(Map.of(), "--server", "h:70000", "--token", "a.b"))
                .hasMessageContaining("1-65535");
        assertThatThrownBy(() -> resolve(Map.of(), "--server", "h:7000")).hasMessageContaining("--token");
        assertThatThrownBy(() -> resolve(Map.of(), "--server", "h:7000", "--token", "nodot"))
                .hasMessageContaining("--token").hasMessageContaining("<client-id>.<secret>");
        assertThatThrownBy(() -> resolve(Map.of(), "--server", "h:7000", "--token", "a.b",
                "--reconnect-max-delay", "soon")).hasMessageContaining("--reconnect-max-delay");
    }

    @Test
    void aConnectionSetOfTwoByDefaultAndAServerListInOrder() {
        AgentSettings defaults = resolve(Map.of(), "--server", "a.example:7000", "--token", "office.secret");
        assertThat(defaults.connections()).isEqualTo(2);

        AgentSettings listed = resolve(Map.of("TUNNEL_CONNECTIONS", "4"), "--server",
                " a.example:7000, [::1]:7001 ,a.example:7000", "--token", "office.secret");
        assertThat(listed.connections()).isEqualTo(4);
        assertThat(listed.servers()).containsExactly(new ServerAddress("a.example", 7000),
                new ServerAddress("::1", 7001));
        assertThat(listed.serverHost()).isEqualTo("a.example");
        assertThat(listed.servers().get(1)).hasToString("[::1]:7001");

        assertThat(resolve(Map.of(), "--server", "a:7000", "--token", "a.b", "--connections", "1").connections())
                .isEqualTo(1);
    }

    @Test
    void aBadConnectionCountOrServerListNamesItsOption() {
        for (String bad : new String[] {"0", "9", "two", "-1"}) {
            assertThatThrownBy(() -> resolve(Map.of(), "--server", "h:7000", "--token", "a.b", "--connections", bad))
                    .hasMessageContaining("--connections").hasMessageContaining("1 to 8").hasMessageContaining(bad);
        }
        assertThatThrownBy(() -> resolve(Map.of(), "--server", "a:7000,,b:7000", "--token", "a.b"))
                .hasMessageContaining("--server").hasMessageContaining("empty entry");
        assertThatThrownBy(() -> resolve(Map.of(), "--server", "a:7000,b", "--token", "a.b"))
                .hasMessageContaining("HOST:PORT").hasMessageContaining("'b'");
    }

    @Test
    void badArgumentsExitWithCodeTwo() {
        assertThat(AgentCommand.execute("--server", "nohostport", "--token", "a.b")).isEqualTo(ExitCode.USAGE);
        assertThat(AgentCommand.execute("--no-such-flag")).isEqualTo(ExitCode.USAGE);
        assertThat(AgentCommand.execute("--help")).isEqualTo(ExitCode.OK);
    }

    @Test
    void durationsAcceptUnitsAndIso() {
        assertThat(AgentCommand.duration("x", "250ms", null)).isEqualTo(Duration.ofMillis(250));
        assertThat(AgentCommand.duration("x", "2m", null)).isEqualTo(Duration.ofMinutes(2));
        assertThat(AgentCommand.duration("x", "PT3S", null)).isEqualTo(Duration.ofSeconds(3));
    }
}
