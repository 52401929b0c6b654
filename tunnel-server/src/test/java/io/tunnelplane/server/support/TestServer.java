package io.tunnelplane.server.support;

import io.tunnelplane.agent.AgentTls;
import io.tunnelplane.protocol.tls.KeyPin;
import io.tunnelplane.server.TunnelServerApplication;
import io.tunnelplane.server.engine.TunnelEngine;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** The real server application started on free loopback ports, as a test would run the jar. */
public final class TestServer implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    public static final String ADMIN_TOKEN = "test-admin-token";
    /** The agent port's key (src/test/resources/tls), shared by test servers so statically configured tokens work. */
    public static final Path CERTIFICATE = Path.of("src", "test", "resources", "tls", "test-agent-port.crt")
            .toAbsolutePath();
    public static final Path PRIVATE_KEY = CERTIFICATE.resolveSibling("test-agent-port.key");
    public static final String KEY_PIN = pinOf(CERTIFICATE);

    private final ConfigurableApplicationContext context;

    private TestServer(ConfigurableApplicationContext context) {
        this.context = context;
    }

    public static Map<String, Object> defaults() {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("server.port", 0);
        props.put("tunnel.server.bind-address", "127.0.0.1");
        props.put("tunnel.server.bind-port", 0);
        props.put("tunnel.server.proxy-bind-address", "127.0.0.1");
        props.put("tunnel.server.shutdown.drain", "1s");
        props.put("tunnel.server.shutdown.lb-grace", "0s"); // no load balancer in front of test servers
        props.put("spring.datasource.url", "jdbc:h2:mem:" + java.util.UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        props.put("tunnel.api.admin-token", ADMIN_TOKEN);
        props.put("tunnel.server.tls.certificate", CERTIFICATE);
        props.put("tunnel.server.tls.private-key", PRIVATE_KEY);
        return props;
    }

    /** Adds the statically configured client the tests log in as. */
    public static void client(Map<String, Object> props, String name, String token) {
        props.put("tunnel.server.clients[0].name", name);
        props.put("tunnel.server.clients[0].token", token);
    }

    /** Adds proxy number {@code index} of that client. */
    public static void proxy(Map<String, Object> props, int index, String name, int localPort, int remotePort) {
        String prefix = "tunnel.server.clients[0].proxies[" + index + "].";
        props.put(prefix + "name", name);
        props.put(prefix + "local-port", localPort);
        props.put(prefix + "remote-port", remotePort);
    }

    public static TestServer start(Map<String, Object> properties) {
        // As command-line arguments: they outrank the shipped application.yml, as an operator's flags would.
        String[] args = properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue())
                .toArray(String[]::new);
        return new TestServer(new SpringApplicationBuilder(TunnelServerApplication.class).run(args));
    }

    private static String pinOf(Path certificate) {
        try (InputStream in = Files.newInputStream(certificate)) {
            return KeyPin.of((X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in));
        } catch (Exception e) {
            throw new IllegalStateException("test certificate " + certificate + " unreadable", e);
        }
    }

    /**
     * A raw connection to the agent port, TLS done (pinned to the test key), for tests that speak the handshake
     * frames themselves.
     */
    public Socket openAgentSocket() throws IOException {
        Socket plain = new Socket(InetAddress.getLoopbackAddress(), agentPort());
        return AgentTls.pinned(KEY_PIN).wrap(plain, "127.0.0.1", agentPort());
    }

    public int agentPort() {
        return context.getBean(TunnelEngine.class).agentPort();
    }

    public int httpPort() {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    public <T> T bean(String name, Class<T> type) {
        return context.getBean(name, type);
    }

    /** GET on the running app with a real HTTP client. */
    public HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A request to the running app carrying the admin token. */
    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort() + path))
                .header("Authorization", "Bearer " + ADMIN_TOKEN);
    }

    /** Sends a request built with {@link #request}, with a JSON body when one is given. */
    public HttpResponse<String> send(String method, String path, String json) throws Exception {
        return send(method, path, "application/json", json);
    }

    public HttpResponse<String> send(String method, String path, String contentType, String body) throws Exception {
        HttpRequest.Builder builder = request(path).header("Content-Type", contentType);
        builder.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        context.close();
    }
}
