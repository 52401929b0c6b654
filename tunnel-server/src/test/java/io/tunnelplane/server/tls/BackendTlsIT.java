package io.tunnelplane.server.tls;

import static io.tunnelplane.server.support.Json.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.tunnelplane.agent.Agent;
import io.tunnelplane.server.support.FreePorts;
import io.tunnelplane.server.support.TestAgents;
import io.tunnelplane.server.support.TestServer;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code backendTls}: the agent speaks TLS to a local service that only speaks HTTPS (a self-signed one, as such
 * services on an internal network usually are), while visitors reach it as a plain http proxy. Without the flag
 * the same service cannot answer, so the test would fail if the agent sent plain HTTP.
 */
class BackendTlsIT {
    @TempDir
    Path dir;

    @Test
    void theAgentSpeaksTlsToAnHttpsOnlyService() throws Exception {
        SelfSignedCertificate.create(dir.resolve("service.crt"), dir.resolve("service.key"), "intranet.internal");
        HttpsServer service = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        service.setHttpsConfigurator(new HttpsConfigurator(serverContext(dir.resolve("service.crt"),
                dir.resolve("service.key"))));
        service.createContext("/", exchange -> {
            byte[] bytes = ("over tls, for " + exchange.getRequestHeaders().getFirst("Host"))
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        service.start();
        HttpServer plain = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        plain.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        plain.start();
        int httpPort = FreePorts.any();
        Map<String, Object> props = TestServer.defaults();
        props.put("tunnel.server.vhost.http-port", httpPort);
        props.put("tunnel.server.vhost.https-port", FreePorts.any());
        try (TestServer server = TestServer.start(props)) {
            JsonNode client = body(201, server.send("POST", "/api/v1/clients", "{\"name\":\"intranet\"}"));
            String proxies = "/api/v1/clients/" + client.get("id").asLong() + "/proxies";
            String site = "{\"name\":\"app\",\"localHost\":\"127.0.0.1\",\"localPort\":"
                    + service.getAddress().getPort() + ",\"customDomains\":[\"app.example\"]";
            assertThat(body(422, server.send("POST", proxies, site + ",\"type\":\"https\",\"backendTls\":true}"))
                    .get("errors").get(0).get("field").asString()).isEqualTo("backendTls");
            JsonNode created = body(201, server.send("POST", proxies, site + ",\"type\":\"http\",\"backendTls\":true,"
                    + "\"hostHeaderRewrite\":\"intranet.internal\"}"));
            assertThat(created.get("backendTls").asBoolean()).isTrue();
            Agent agent = TestAgents.start(server.agentPort(), client.get("token").asString(), Duration.ofSeconds(1));
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> server.get(proxies).body()
                        .contains("\"state\":\"listening\""));
                assertThat(get(httpPort, "app.example")).startsWith("HTTP/1.1 200")
                        .endsWith("over tls, for intranet.internal");

                // A service that does not speak TLS: the visitor is not kept waiting (reset after the agent's 5 s
                // handshake timeout), and the operator sees why in the proxy's localError.
                body(201, server.send("POST", proxies, "{\"name\":\"plain\",\"type\":\"http\",\"localHost\":"
                        + "\"127.0.0.1\",\"localPort\":" + plain.getAddress().getPort() + ",\"customDomains\":"
                        + "[\"plain.example\"],\"backendTls\":true}"));
                await().atMost(Duration.ofSeconds(10)).until(() -> server.get(proxies).body()
                        .split("\"state\":\"listening\"", -1).length == 3);
                String answer;
                try {
                    answer = get(httpPort, "plain.example");
                } catch (java.net.SocketException reset) {
                    answer = "reset";
                }
                assertThat(answer).doesNotStartWith("HTTP/1.1 200");
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(body(200, server.get(proxies))
                        .valueStream().filter(p -> p.get("name").asString().equals("plain")).findFirst().orElseThrow()
                        .get("localError").asString("")).contains("TLS handshake failed"));
            } finally {
                agent.stop();
            }
        } finally {
            service.stop(0);
            plain.stop(0);
        }
    }

    private static String get(int port, String host) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(20_000); // the agent gives a silent service 5 s to handshake
            socket.getOutputStream().write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static SSLContext serverContext(Path certificate, Path key) throws Exception {
        Certificate cert;
        try (InputStream in = Files.newInputStream(certificate)) {
            cert = CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        String pem = Files.readString(key);
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(pem.indexOf("-----", 5) + 5,
                pem.indexOf("-----END")).strip());
        PrivateKey privateKey = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("service", privateKey, new char[0], new Certificate[] {cert});
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, new char[0]);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }
}
