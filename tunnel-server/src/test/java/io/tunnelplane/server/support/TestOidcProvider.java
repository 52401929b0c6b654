package io.tunnelplane.server.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * classpath. Users alice@example.org (group ops), bob@example.org, mallory@elsewhere.test (ops) and
 * dave@example.org (auditors); every password is {@code password}; client {@code tunnel} / {@code tunnel-secret}.
 */
public final class TestOidcProvider implements AutoCloseable {
    private static final Path JAR = Path.of("..", "tunnel-test-oidc", "target", "tunnel-test-oidc.jar");
    public static final String CLIENT_ID = "tunnel";
    public static final String CLIENT_SECRET = "tunnel-secret";
    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");

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

    /** A browser as far as sign-in needs one: follows redirects and keeps cookies in {@code jar}. */
    public static HttpClient browser(CookieManager jar) {
        return HttpClient.newBuilder().cookieHandler(jar).followRedirects(HttpClient.Redirect.NORMAL)
                .version(HttpClient.Version.HTTP_2).build();
    }

    /**
     * Opens {@code url} in {@code browser}, which must lead to this provider's login form, signs in there as
     * {@code user}, and follows the redirects back: the answer of wherever they end.
     */
    public static HttpResponse<String> signIn(HttpClient browser, String url, String user) throws Exception {
        // As a browser does: the provider sends only page requests (Accept: text/html) to its login form.
        HttpResponse<String> login = browser.send(HttpRequest.newBuilder(URI.create(url))
                .header("Accept", "text/html").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(login.uri().getPath()).as(login.body()).isEqualTo("/login");
        Matcher csrf = CSRF.matcher(login.body());
        assertThat(csrf.find()).as(login.body()).isTrue();
        String form = "username=" + user + "&password=password&_csrf="
                + URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8);
        return browser.send(HttpRequest.newBuilder(login.uri()).header("Accept", "text/html").header("Content-Type",
                "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString());
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
