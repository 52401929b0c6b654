package io.tunnelplane.server.tls;

import static io.tunnelplane.server.support.Json.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.tunnelplane.agent.Agent;
import io.tunnelplane.server.support.FreePorts;
import io.tunnelplane.server.support.Json;
import io.tunnelplane.server.support.TestAgents;
import io.tunnelplane.server.support.TestServer;
import io.tunnelplane.server.support.Trust;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Certificates from a real ACME CA: Debian's pebble (Let's Encrypt's test CA; installed by .ci/run) with its DNS
 * helper answering every name with 127.0.0.1, validating over HTTP-01 on the server's shared HTTP port. An https
 * proxy with {@code tlsMode: terminate} gets a certificate for its domain, a TLS client that trusts only pebble's
 * root reaches the local service through it, a restart serves the same certificate without a new order, and the
 * short-lived certificates pebble issues here (60 s) are renewed before they expire.
 */
class AcmeCertificatesIT {
    private static final Path PEBBLE = Path.of("/usr/bin/pebble");
    private static final Path CHALLTESTSRV = Path.of("/usr/bin/pebble-challtestsrv");
    private static final String DOMAIN = "site.tunnel.test";
    private static final int VALIDITY_SECONDS = 60;

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stopCa() throws InterruptedException {
        for (Process process : processes) {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aTerminatingProxyGetsItsCertificateKeepsItAcrossARestartAndRenewsIt() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(PEBBLE) && Files.isExecutable(CHALLTESTSRV),
                "pebble is not installed (.ci/run installs it): ACME was not checked");
        int httpPort = FreePorts.any();
        int httpsPort = FreePorts.any();
        Path listenerCert = dir.resolve("pebble.crt");
        SelfSignedCertificate.create(listenerCert, dir.resolve("pebble.key"), "localhost");
        Ca ca = startCa(httpPort, listenerCert);

        HttpServer service = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        service.createContext("/", exchange -> {
            byte[] bytes = ("served over " + exchange.getRequestHeaders().getFirst("X-Forwarded-Proto"))
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        service.start();
        Map<String, Object> props = TestServer.defaults();
        props.put("spring.datasource.url", "jdbc:h2:file:" + dir.resolve("db").toAbsolutePath());
        props.put("tunnel.server.vhost.http-port", httpPort);
        props.put("tunnel.server.vhost.https-port", httpsPort);
        props.put("tunnel.server.acme.directory-url", ca.directory());
        props.put("tunnel.server.acme.directory-ca", listenerCert.toString());
        props.put("tunnel.server.acme.accept-terms", true);
        props.put("tunnel.server.acme.email", "ops@example.org");
        props.put("tunnel.server.acme.check-interval", "1s");
        props.put("tunnel.server.acme.retry-base", "1s");
        try {
            String token;
            long clientId;
            JsonNode issued;
            BigInteger firstSerial;
            try (TestServer server = TestServer.start(props)) {
                JsonNode client = body(201, server.send("POST", "/api/v1/clients", "{\"name\":\"web\"}"));
                token = client.get("token").asString();
                clientId = client.get("id").asLong();
                String proxies = "/api/v1/clients/" + clientId + "/proxies";
                String site = "{\"name\":\"site\",\"type\":\"https\",\"localHost\":\"127.0.0.1\",\"localPort\":"
                        + service.getAddress().getPort() + ",\"customDomains\":[\"" + DOMAIN + "\"]";
                assertThat(body(400, server.send("POST", proxies, site + ",\"tlsMode\":\"open\"}")).toString())
                        .contains("tlsMode");
                assertThat(body(201, server.send("POST", proxies, site + ",\"tlsMode\":\"terminate\"}"))
                        .get("tlsMode").asString()).isEqualTo("terminate");
                body(201, server.send("POST", proxies, "{\"name\":\"plain\",\"type\":\"http\",\"localHost\":"
                        + "\"127.0.0.1\",\"localPort\":" + service.getAddress().getPort() + ",\"customDomains\":[\""
                        + DOMAIN + "\"],\"redirectToHttps\":true}"));
                Agent agent = TestAgents.start(server.agentPort(), token, Duration.ofSeconds(1));
                try {
                    issued = awaitCertificate(server, null);
                    assertThat(issued.get("source").asString()).isEqualTo("acme");
                    assertThat(issued.get("issuer").asString()).contains("Pebble");
                    X509Certificate served = await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                            .until(() -> get(httpsPort, ca.trust(), "/hello"), c -> true);
                    firstSerial = served.getSerialNumber();
                    assertThat(served.getSubjectAlternativeNames()).anySatisfy(n -> assertThat(n.get(1)).isEqualTo(DOMAIN));

                    // The http proxy of the same name sends its visitors over https, path and query kept.
                    try (Socket socket = new Socket("127.0.0.1", httpPort)) {
                        socket.setSoTimeout(5_000);
                        socket.getOutputStream().write(("GET /a?b=1 HTTP/1.1\r\nHost: " + DOMAIN
                                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                        String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                        assertThat(answer).startsWith("HTTP/1.1 308")
                                .contains("Location: https://" + DOMAIN + ":" + httpsPort + "/a?b=1");
                    }
                } finally {
                    agent.stop();
                }
            }

            // A restart serves the certificate kept in the database: no new order.
            try (TestServer server = TestServer.start(props)) {
                Agent agent = TestAgents.start(server.agentPort(), token, Duration.ofSeconds(1));
                try {
                    await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() ->
                            assertThat(get(httpsPort, ca.trust(), "/again").getSerialNumber()).isEqualTo(firstSerial));
                    JsonNode kept = certificate(server);
                    assertThat(kept.get("updatedAt").asString()).isEqualTo(issued.get("updatedAt").asString());

                    uploadedCertificateIsServedAndNeverOrdered(server, clientId, httpsPort, service.getAddress().getPort());

                    // Pebble's certificates live 60 s here: renewed once less than a third of that is left.
                    JsonNode renewed = awaitCertificate(server, issued.get("notAfter").asString());
                    assertThat(renewed.get("notAfter").asString()).isGreaterThan(issued.get("notAfter").asString());
                    await().atMost(Duration.ofSeconds(40)).ignoreExceptions().untilAsserted(() ->
                            assertThat(get(httpsPort, ca.trust(), "/renewed").getSerialNumber())
                                    .isNotEqualTo(firstSerial));
                } finally {
                    agent.stop();
                }
            }
        } finally {
            service.stop(0);
        }
    }

    /** An operator's own certificate: checked (the key must be the certificate's), served, and left to them. */
    private void uploadedCertificateIsServedAndNeverOrdered(TestServer server, long clientId, int httpsPort,
            int servicePort) throws Exception {
        String domain = "own.tunnel.test";
        Path cert = dir.resolve("own.crt");
        Path key = dir.resolve("own.key");
        SelfSignedCertificate.create(cert, key, domain);
        SelfSignedCertificate.create(dir.resolve("other.crt"), dir.resolve("other.key"), domain);
        String chainPem = Files.readString(cert);
        JsonNode mismatched = body(400, server.send("PUT", "/api/v1/certificates/" + domain, Json.object(Map.of(
                "certificateChain", chainPem, "privateKey", Files.readString(dir.resolve("other.key"))))));
        assertThat(mismatched.get("errors").get(0).get("field").asString()).isEqualTo("privateKey");
        JsonNode wrongName = body(400, server.send("PUT", "/api/v1/certificates/elsewhere.test", Json.object(Map.of(
                "certificateChain", chainPem, "privateKey", Files.readString(key)))));
        assertThat(wrongName.get("errors").get(0).get("field").asString()).isEqualTo("certificateChain");
        JsonNode uploaded = body(200, server.send("PUT", "/api/v1/certificates/" + domain, Json.object(Map.of(
                "certificateChain", chainPem, "privateKey", Files.readString(key)))));
        assertThat(uploaded.get("source").asString()).isEqualTo("upload");

        body(201, server.send("POST", "/api/v1/clients/" + clientId + "/proxies", "{\"name\":\"own\",\"type\":"
                + "\"https\",\"localHost\":\"127.0.0.1\",\"localPort\":" + servicePort + ",\"customDomains\":[\""
                + domain + "\"],\"tlsMode\":\"terminate\"}"));
        SSLContext trustOwn = Trust.only(List.of(Trust.read(cert)));
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() ->
                assertThat(get(httpsPort, trustOwn, domain, "/own").getSerialNumber())
                        .isEqualTo(((X509Certificate) Trust.read(cert)).getSerialNumber()));
        JsonNode kept = body(200, server.get("/api/v1/certificates")).valueStream()
                .filter(c -> c.get("domain").asString().equals(domain)).findFirst().orElseThrow();
        assertThat(kept.get("source").asString()).as("no ACME order replaced it").isEqualTo("upload");
        assertThat(kept.get("updatedAt").asString()).isEqualTo(uploaded.get("updatedAt").asString());
    }

    /** Waits for the domain's certificate, a newer one than {@code notAfterBefore} when given. */
    private static JsonNode awaitCertificate(TestServer server, String notAfterBefore) {
        return await().atMost(Duration.ofSeconds(notAfterBefore == null ? 60 : VALIDITY_SECONDS + 30))
                .ignoreExceptions().until(() -> certificate(server), c -> c.get("issued").asBoolean()
                        && (notAfterBefore == null || !c.get("notAfter").asString().equals(notAfterBefore)));
    }

    private static JsonNode certificate(TestServer server) throws Exception {
        for (JsonNode c : body(200, server.get("/api/v1/certificates"))) {
            if (c.get("domain").asString().equals(DOMAIN)) {
                return c;
            }
        }
        throw new AssertionError("no certificate row for " + DOMAIN);
    }

    /** GET over TLS to the server's HTTPS port, as a browser that trusts {@code trust} would; returns the leaf. */
    private static X509Certificate get(int port, SSLContext trust, String path) throws IOException {
        return get(port, trust, DOMAIN, path);
    }

    private static X509Certificate get(int port, SSLContext trust, String domain, String path) throws IOException {
        try (Socket plain = new Socket("127.0.0.1", port);
                SSLSocket tls = (SSLSocket) trust.getSocketFactory().createSocket(plain, domain, port, true)) {
            tls.setSoTimeout(5_000);
            SSLParameters parameters = tls.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName(domain)));
            parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the name must match, not just the chain
            tls.setSSLParameters(parameters);
            tls.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + domain + "\r\nConnection: close"
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String answer = new String(tls.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 200").endsWith("served over https");
            return (X509Certificate) tls.getSession().getPeerCertificates()[0];
        }
    }

    /** A running pebble: where its directory is, and a trust store with only the root it signs with. */
    private record Ca(String directory, SSLContext trust) {
    }

    private Ca startCa(int httpPort, Path listenerCert) throws Exception {
        int dnsPort = FreePorts.any();
        int acmePort = FreePorts.any();
        int managementPort = FreePorts.any();
        processes.add(new ProcessBuilder(CHALLTESTSRV.toString(), "-defaultIPv4", "127.0.0.1", "-defaultIPv6", "",
                "-dns01", "127.0.0.1:" + dnsPort, "-http01", "", "-https01", "", "-tlsalpn01", "",
                "-management", "127.0.0.1:" + FreePorts.any())
                .redirectErrorStream(true).redirectOutput(dir.resolve("challtestsrv.log").toFile()).start());
        Path config = dir.resolve("pebble.json");
        Files.writeString(config, """
                {"pebble": {"listenAddress": "127.0.0.1:%d", "managementListenAddress": "127.0.0.1:%d",
                 "certificate": "%s", "privateKey": "%s", "httpPort": %d, "tlsPort": %d,
                 "ocspResponderURL": "", "externalAccountBindingRequired": false,
                 "certificateValidityPeriod": %d}}
                """.formatted(acmePort, managementPort, listenerCert, dir.resolve("pebble.key"), httpPort,
                FreePorts.any(), VALIDITY_SECONDS));
        ProcessBuilder pebble = new ProcessBuilder(PEBBLE.toString(), "-config", config.toString(), "-dnsserver",
                "127.0.0.1:" + dnsPort).redirectErrorStream(true).redirectOutput(dir.resolve("pebble.log").toFile());
        pebble.environment().put("PEBBLE_VA_NOSLEEP", "1");
        pebble.environment().put("PEBBLE_WFE_NONCEREJECT", "0");
        processes.add(pebble.start());

        HttpClient management = HttpClient.newBuilder().sslContext(Trust.only(List.of(Trust.read(listenerCert))))
                .build();
        String root = await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> management.send(
                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + managementPort + "/roots/0")).build(),
                HttpResponse.BodyHandlers.ofString()), r -> r.statusCode() == 200).body();
        Certificate rootCertificate = CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(root.getBytes(StandardCharsets.US_ASCII)));
        return new Ca("https://127.0.0.1:" + acmePort + "/dir", Trust.only(List.of(rootCertificate)));
    }
}
