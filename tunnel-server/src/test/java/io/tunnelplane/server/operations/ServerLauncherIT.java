package io.tunnelplane.server.operations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tunnelplane.server.support.FreePorts;
import io.tunnelplane.server.support.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's launcher with class data sharing: {@code prepare-cds} makes an archive for the packaged jar, a start
 * then runs on the unpacked jar with that archive mapped, and an archive made from another build is set aside with
 * a note instead of slowing or breaking the start.
 */
class ServerLauncherIT {
    private static final Path LAUNCHER = Path.of("bin", "tunnel-server").toAbsolutePath();
    private static final Path SERVER_JAR = Path.of("target", "tunnel-server.jar").toAbsolutePath();

    @Test
    void aPreparedArchiveIsUsedAndAStaleOneIsSetAside(@TempDir Path dir) throws Exception {
        assertThat(SERVER_JAR).as("packaged before the integration tests").exists();
        Path cds = dir.resolve("cds");

        Path prepareLog = dir.resolve("prepare.log");
        Process prepare = launcher(dir, cds, prepareLog, "", List.of("prepare-cds"));
        assertThat(prepare.waitFor(180, TimeUnit.SECONDS)).as("training start finished").isTrue();
        assertThat(prepare.exitValue()).as(Files.readString(prepareLog)).isZero();
        assertThat(Files.readString(prepareLog)).contains("class data archive ready");
        assertThat(cds.resolve("tunnel-server.jsa")).isNotEmptyFile();
        assertThat(cds.resolve("training").resolve("tls")).as("the training key is thrown away").doesNotExist();

        // -Xshare:on makes the JVM refuse to start when it cannot map the archive, so a start proves it is used.
        int httpPort = FreePorts.any();
        Path startLog = dir.resolve("start.log");
        Process server = launcher(dir, cds, startLog, "-Xshare:on", List.of("--server.port=" + httpPort,
                "--tunnel.server.bind-address=127.0.0.1", "--tunnel.server.bind-port=" + FreePorts.any(),
                "--spring.datasource.url=jdbc:h2:mem:launcher",
                "--tunnel.server.tls.certificate=" + TestServer.CERTIFICATE,
                "--tunnel.server.tls.private-key=" + TestServer.PRIVATE_KEY));
        try {
            HttpClient http = HttpClient.newHttpClient();
            await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> {
                assertThat(server.isAlive()).as(Files.readString(startLog)).isTrue();
                return http.send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + httpPort + "/actuator/health/readiness")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
            });
            // The launcher execs the JVM, so the process it started is the server itself.
            assertThat(server.info().commandLine()).get().asString()
                    .contains("-XX:SharedArchiveFile=" + cds.toRealPath().resolve("tunnel-server.jsa"))
                    .contains(cds.toRealPath().resolve("app").resolve("tunnel-server.jar").toString());
        } finally {
            server.destroy();
            server.waitFor(30, TimeUnit.SECONDS);
            server.destroyForcibly();
        }

        Files.writeString(cds.resolve("stamp"), "0 0\n"); // as if the jar had been rebuilt since
        Path staleLog = dir.resolve("stale.log");
        Process stale = launcher(dir, cds, staleLog, "-version", List.of());
        assertThat(stale.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(stale.exitValue()).as(Files.readString(staleLog)).isZero();
        assertThat(Files.readString(staleLog)).contains("made from another build", "prepare-cds' again");
    }

    private static Process launcher(Path dir, Path cds, Path log, String javaOpts, List<String> args)
            throws Exception {
        List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("TUNNEL_SERVER_JAR", SERVER_JAR.toString());
        builder.environment().put("TUNNEL_SERVER_CDS_DIR", cds.toString());
        builder.environment().put("JAVA_OPTS", javaOpts);
        return builder.start();
    }
}
