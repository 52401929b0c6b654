package io.tunnelplane.server.sso;

import static io.tunnelplane.server.support.Json.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.tunnelplane.agent.Agent;
import io.tunnelplane.control.sso.SignOnKeys;
import io.tunnelplane.server.support.FreePorts;
import io.tunnelplane.server.support.Json;
import io.tunnelplane.server.support.TestAgents;
import io.tunnelplane.server.support.TestOidcProvider;
import io.tunnelplane.server.support.TestServer;
import io.tunnelplane.server.support.Trust;
import io.tunnelplane.server.tls.SelfSignedCertificate;
import java.net.CookieManager;
import javax.net.ssl.SSLContext;
import java.net.CookiePolicy;
import java.net.HttpCookie;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Single sign-on in front of an http proxy, end to end: a real OpenID Connect provider (Spring Authorization Server
 * with its login form, in a process of its own), the packaged server's classes with a real agent, and a real HTTP
 * client that follows redirects with a cookie jar, as a browser does. The local service echoes the identity headers
 * it receives, so the test sees exactly what reached it.
 */
class SingleSignOnIT {
    @TempDir
    Path dir;

    /** What the local service received, one entry per request. */
    private final List<String> received = new CopyOnWriteArrayList<>();

    @Test
    void visitorsSignInWithTheProviderAndTheServiceLearnsWhoTheyAre() throws Exception {
        int vhostPort = FreePorts.any();
        String site = "http://localhost:" + vhostPort;
        HttpServer service = identityEcho();
        Path accessLog = dir.resolve("access.log");
        int httpsPort = FreePorts.any();
        String secureSite = "https://localhost:" + httpsPort;
        try (TestOidcProvider provider = TestOidcProvider.start(dir, site + "/.tunnel/callback",
                secureSite + "/.tunnel/callback")) {
            Map<String, Object> props = TestServer.defaults();
            props.put("tunnel.server.vhost.http-port", vhostPort);
            props.put("tunnel.server.vhost.https-port", httpsPort);
            props.put("tunnel.server.access.log-file", accessLog.toString());
            props.put("tunnel.server.sso.providers.staff.issuer-uri", provider.issuer());
            props.put("tunnel.server.sso.providers.staff.client-id", TestOidcProvider.CLIENT_ID);
            props.put("tunnel.server.sso.providers.staff.client-secret", TestOidcProvider.CLIENT_SECRET);
            try (TestServer server = TestServer.start(props)) {
                JsonNode client = body(201, server.send("POST", "/api/v1/clients", "{\"name\":\"intranet\"}"));
                long clientId = client.get("id").asLong();
                String proxies = "/api/v1/clients/" + clientId + "/proxies";
                String wiki = "{\"name\":\"wiki\",\"type\":\"http\",\"localHost\":\"127.0.0.1\",\"localPort\":"
                        + service.getAddress().getPort() + ",\"customDomains\":[\"localhost\"],";

                // Refusals name the field, and nothing is stored.
                assertThat(problemField(server.send("POST", proxies, wiki + "\"sso\":{\"provider\":\"google\"}}"), 422))
                        .isEqualTo("sso.provider");
                assertThat(server.send("POST", proxies, wiki + "\"sso\":{\"provider\":\"google\"}}").body())
                        .contains("tunnel.server.sso.providers: staff");
                assertThat(problemField(server.send("POST", proxies, "{\"name\":\"db\",\"type\":\"tcp\",\"localHost\":\"127.0.0.1\",\"localPort\":"
                        + "5432,\"remotePort\":" + FreePorts.inRange(10000, 20000) + ",\"sso\":{\"provider\":\"staff\"}}"),
                        422)).isEqualTo("sso");
                assertThat(problemField(server.send("POST", proxies, wiki + "\"sso\":{\"provider\":\"staff\","
                        + "\"allowEmails\":[\"not-an-address\"]}}"), 400)).isEqualTo("sso.allowEmails[0]");
                assertThat(body(200, server.get(proxies))).isEmpty();

                JsonNode created = body(201, server.send("POST", proxies, wiki + "\"sso\":{\"provider\":\"staff\","
                        + "\"allowDomains\":[\"example.org\"]}}"));
                assertThat(created.get("sso").get("allowDomains").get(0).asString()).isEqualTo("example.org");
                Agent agent = TestAgents.start(server.agentPort(), client.get("token").asString(),
                        Duration.ofSeconds(1));
                try {
                    await().atMost(Duration.ofSeconds(10)).until(() -> server.get(proxies).body()
                            .contains("\"state\":\"listening\""));
                    checkSignOn(server, site, provider, accessLog);
                    checkSignOnOverHttps(server, proxies, secureSite, service.getAddress().getPort());
                } finally {
                    agent.stop();
                }
            }
        } finally {
            service.stop(0);
        }
    }

    private void checkSignOn(TestServer server, String site, TestOidcProvider provider, Path accessLog)
            throws Exception {
        HttpClient plain = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

        // Unauthenticated: sent to the provider before a byte reaches the service, forged headers or not.
        HttpResponse<String> first = plain.send(HttpRequest.newBuilder(URI.create(site + "/wiki/Home?rev=2"))
                .header("X-Forwarded-Email", "ceo@example.org").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(first.statusCode()).isEqualTo(302);
        String authorize = first.headers().firstValue("Location").orElseThrow();
        assertThat(authorize).startsWith(provider.issuer() + "/oauth2/authorize?")
                .contains("code_challenge_method=S256", "state=", "nonce=", "client_id=tunnel",
                        "redirect_uri=" + URLEncoder.encode(site + "/.tunnel/callback", StandardCharsets.UTF_8));
        assertThat(received).isEmpty();

        // Alice signs in at the provider and lands where she was going, known to the service.
        CookieManager aliceJar = new CookieManager(null, CookiePolicy.ACCEPT_ALL);
        HttpClient alice = TestOidcProvider.browser(aliceJar);
        HttpResponse<String> home = TestOidcProvider.signIn(alice, site + "/wiki/Home?rev=2", "alice");
        assertThat(home.statusCode()).as(home.body()).isEqualTo(200);
        assertThat(home.uri().toString()).isEqualTo(site + "/wiki/Home?rev=2");
        assertThat(home.body()).contains("email=alice@example.org", "user=alice@example.org")
                .doesNotContain("__tunnel_sso");

        // A header the visitor forges never reaches the service: the server's own value replaces it. This request
        // reuses the connection of the one before, which asked for an h2c upgrade (as Java's client does on every
        // new connection) and got a plain answer: the connection stays HTTP and every request on it is gated.
        HttpResponse<String> forged = alice.send(HttpRequest.newBuilder(URI.create(site + "/wiki/Edit"))
                .header("X-Forwarded-Email", "ceo@example.org").header("X-Forwarded-User", "ceo").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(forged.body()).contains("email=alice@example.org", "user=alice@example.org")
                .doesNotContain("ceo");

        // A tampered cookie is not a sign-on: the visitor is sent to sign in again.
        HttpCookie session = cookie(aliceJar, site, "__tunnel_sso");
        String value = session.getValue();
        int middle = value.length() / 2;
        String tampered = value.substring(0, middle) + (value.charAt(middle) == 'A' ? 'B' : 'A')
                + value.substring(middle + 1);
        int before = received.size();
        HttpResponse<String> refused = plain.send(HttpRequest.newBuilder(URI.create(site + "/wiki/Home"))
                .header("Cookie", "__tunnel_sso=" + tampered).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(302);
        assertThat(refused.headers().firstValue("Location").orElseThrow()).startsWith(provider.issuer());
        // The untampered cookie passes the same way, so it was the change that was refused.
        assertThat(plain.send(HttpRequest.newBuilder(URI.create(site + "/wiki/Home"))
                .header("Cookie", "__tunnel_sso=" + value).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(200);
        assertThat(received).hasSize(before + 1);

        // An expired cookie, sealed with the server's own key, sends the visitor to sign in again; the same cookie
        // issued now passes, so it was the expiry that was refused.
        CookieSeal seal = new CookieSeal();
        seal.keys(server.bean(SignOnKeys.class).all(), Instant.now());
        Identity signedInBefore = new Identity("staff", "alice", "alice@example.org", true, "alice", List.of("ops"));
        String expired = new SiteSessions(seal).issue(signedInBefore, "localhost",
                Instant.now().minus(Duration.ofHours(13)), Duration.ofHours(12));
        HttpResponse<String> stale = plain.send(HttpRequest.newBuilder(URI.create(site + "/wiki/Home"))
                .header("Cookie", "__tunnel_sso=" + expired).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(stale.statusCode()).isEqualTo(302);
        assertThat(stale.headers().firstValue("Location").orElseThrow()).startsWith(provider.issuer());
        String current = new SiteSessions(seal).issue(signedInBefore, "localhost", Instant.now(),
                Duration.ofHours(12));
        assertThat(plain.send(HttpRequest.newBuilder(URI.create(site + "/wiki/Home"))
                .header("Cookie", "__tunnel_sso=" + current).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(200);

        // Mallory signs in fine but is outside allowDomains: a 403 naming who she is, and the service sees nothing.
        HttpResponse<String> mallory = TestOidcProvider.signIn(
                TestOidcProvider.browser(new CookieManager(null, CookiePolicy.ACCEPT_ALL)),
                site + "/wiki/Home", "mallory");
        assertThat(mallory.statusCode()).isEqualTo(403);
        assertThat(mallory.body()).contains("signed in as mallory@elsewhere.test");
        assertThat(received).noneMatch(r -> r.contains("mallory"));

        // Rotating the cookie key signs nobody out.
        JsonNode rotated = body(201, server.send("POST", "/api/v1/sso/keys", null));
        assertThat(body(200, server.get("/api/v1/sso/keys"))).hasSize(2)
                .allSatisfy(key -> assertThat(key.has("secret")).isFalse());
        assertThat(rotated.get("activeFrom").asString()).isGreaterThan(rotated.get("createdAt").asString());
        assertThat(alice.send(HttpRequest.newBuilder(URI.create(site + "/wiki/Home")).build(),
                HttpResponse.BodyHandlers.ofString()).body()).contains("email=alice@example.org");

        // Sign-out clears the cookie: the next visit goes to the provider again.
        HttpResponse<String> out = alice.send(HttpRequest.newBuilder(URI.create(site + "/.tunnel/logout")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(out.statusCode()).isEqualTo(200);
        assertThat(out.body()).contains("signed out of localhost");
        assertThat(aliceJar.getCookieStore().get(URI.create(site))).noneMatch(c -> c.getName().equals("__tunnel_sso"));
        HttpResponse<String> again = HttpClient.newBuilder().cookieHandler(aliceJar)
                .followRedirects(HttpClient.Redirect.NEVER).build()
                .send(HttpRequest.newBuilder(URI.create(site + "/wiki/Home")).build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(again.statusCode()).isEqualTo(302);

        // The access log says who made each request.
        await().atMost(Duration.ofSeconds(5)).until(() -> Files.readAllLines(accessLog).stream().map(Json::parse)
                .anyMatch(l -> l.path("status").asInt() == 200 && "alice@example.org".equals(l.path("user").asString(null))));
        assertThat(Files.readAllLines(accessLog).stream().map(Json::parse)
                .filter(l -> l.path("status").asInt() == 403)).singleElement()
                .satisfies(l -> assertThat(l.get("user").asString()).isEqualTo("mallory@elsewhere.test"));
    }

    /**
     * An https proxy whose TLS the server ends (here with an uploaded certificate) signs visitors on the same way,
     * and its sign-on cookie is Secure.
     */
    private void checkSignOnOverHttps(TestServer server, String proxies, String secureSite, int servicePort)
            throws Exception {
        Path cert = dir.resolve("localhost.crt");
        Path key = dir.resolve("localhost.key");
        SelfSignedCertificate.create(cert, key, "localhost");
        body(200, server.send("PUT", "/api/v1/certificates/localhost", Json.object(Map.of(
                "certificateChain", Files.readString(cert), "privateKey", Files.readString(key)))));
        body(201, server.send("POST", proxies, "{\"name\":\"secure-wiki\",\"type\":\"https\",\"tlsMode\":"
                + "\"terminate\",\"localHost\":\"127.0.0.1\",\"localPort\":" + servicePort + ",\"customDomains\":"
                + "[\"localhost\"],\"sso\":{\"provider\":\"staff\",\"allowGroups\":[\"ops\"]}}"));
        SSLContext tls = Trust.only(List.of(Trust.read(cert)));
        CookieManager jar = new CookieManager(null, CookiePolicy.ACCEPT_ALL);
        // ALWAYS: the provider here is plain http, which a NORMAL client refuses to be redirected to from https.
        HttpClient browser = HttpClient.newBuilder().sslContext(tls).cookieHandler(jar)
                .followRedirects(HttpClient.Redirect.ALWAYS).build();
        await().atMost(Duration.ofSeconds(10)).until(() -> server.get(proxies).body()
                .split("\"state\":\"listening\"", -1).length == 3);
        HttpResponse<String> page = TestOidcProvider.signIn(browser, secureSite + "/secure", "alice");
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        assertThat(page.uri().toString()).isEqualTo(secureSite + "/secure");
        assertThat(page.body()).contains("email=alice@example.org");
        assertThat(cookie(jar, secureSite, "__tunnel_sso").getSecure()).as("Secure on an https site").isTrue();
    }

    private static HttpCookie cookie(CookieManager jar, String site, String name) {
        return jar.getCookieStore().get(URI.create(site)).stream().filter(c -> c.getName().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no " + name + " cookie in " + jar.getCookieStore()
                        .getCookies()));
    }

    private static String problemField(HttpResponse<String> response, int status) {
        JsonNode problem = body(status, response);
        return problem.get("errors").get(0).get("field").asString();
    }

    /** The local service: answers with the identity headers and cookies it received. */
    private HttpServer identityEcho() throws Exception {
        HttpServer service = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        service.createContext("/", exchange -> {
            String seen = "email=" + exchange.getRequestHeaders().get("X-Forwarded-Email") + " user="
                    + exchange.getRequestHeaders().get("X-Forwarded-User") + " cookies="
                    + exchange.getRequestHeaders().get("Cookie");
            seen = seen.replace("[", "").replace("]", "");
            received.add(seen);
            byte[] bytes = seen.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        service.start();
        return service;
    }
}
