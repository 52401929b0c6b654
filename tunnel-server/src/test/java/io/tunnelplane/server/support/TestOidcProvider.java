package io.tunnelplane.server.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The real OpenID Connect provider of the sign-on tests (module tunnel-test-oidc: Spring Authorization Server with
 * a login form), run as its own process on a free loopback port so that Spring Security stays off the server's
 * classpath. Users alice@example.org (group ops), bob@example.org and mallory@elsewhere.test (ops); every password
 * is {@code password}; client {@code tunnel} / {@code tunnel-secret}.
 */
public final class TestOidcProvider implements AutoCloseable {
    private static final Path JAR = Path.of("..", "tunnel-test-oidc", "target", "tunnel-test-oidc.jar");
    public static final String CLIENT_ID = "tunnel";
    public static final String CLIENT_SECRET = "tunnel-secret";

    private final Process process;
    private final Path log;
    private final int port;

    private TestOidcProvider(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** Starts the provider with {@code redirectUris} registered for the client and waits until it is discovered. */
    public static TestOidcProvider start(Path dir, String... redirectUris) throws IOException {
        assertThat(JAR).as("the provider is packaged before the server's integration tests (mvn verify)").exists();
        int port = FreePorts.any();
        Path log = dir.resolve("oidc-provider.log");
        Process process = new ProcessBuilder(List.of("java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-jar", JAR.toString(), "--server.address=127.0.0.1", "--server.port=" + port,
                "--test-oidc.redirect-uri=" + String.join(",", redirectUris)))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        TestOidcProvider provider = new TestOidcProvider(process, log, port);
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> {
            assertThat(process.isAlive()).as(provider.logText()).isTrue();
            return http.send(HttpRequest.newBuilder(URI.create(provider.issuer()
                    + "/.well-known/openid-configuration")).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode() == 200;
        });
        return provider;
    }

    public String issuer() {
        return "http://127.0.0.1:" + port;
    }

    public String logText() throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
