package io.tunnelplane.server.console;

import static org.assertj.core.api.Assertions.assertThat;
import static io.tunnelplane.server.support.Json.body;
import static org.awaitility.Awaitility.await;

import io.tunnelplane.server.support.FreePorts;
import io.tunnelplane.server.support.HeadlessChromium;
import io.tunnelplane.server.support.TestOidcProvider;
import io.tunnelplane.server.support.TestServer;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.Select;
import tools.jackson.databind.JsonNode;

/**
 * Operators sign in to the console with the server's OpenID Connect provider (Spring Authorization Server in a
 * process of its own), and get the role their groups map to: ops is admin, auditors read-only, anyone else is
 * refused. API tokens keep working beside it.
 */
class ConsoleSignOnIT {
    @TempDir
    Path dir;

    @Test
    void operatorsSignInWithTheProviderAndTheirGroupsGiveTheirRole() throws Exception {
        int apiPort = FreePorts.any();
        // The console is reached as localhost, the provider as 127.0.0.1: cookies of one host would mix their sessions.
        String console = "http://localhost:" + apiPort;
        try (TestOidcProvider provider = TestOidcProvider.start(dir, console + "/console/sso/callback/staff")) {
            Map<String, Object> props = TestServer.defaults();
            props.put("server.port", apiPort);
            props.put("tunnel.server.vhost.http-port", FreePorts.any());
            props.put("tunnel.server.sso.providers.staff.issuer-uri", provider.issuer());
            props.put("tunnel.server.sso.providers.staff.client-id", TestOidcProvider.CLIENT_ID);
            props.put("tunnel.server.sso.providers.staff.client-secret", TestOidcProvider.CLIENT_SECRET);
            props.put("tunnel.api.console-sign-on.provider", "staff");
            props.put("tunnel.api.console-sign-on.admin-groups", "ops");
            props.put("tunnel.api.console-sign-on.read-only-groups", "auditors");
            try (TestServer server = TestServer.start(props)) {
                HttpClient plain = HttpClient.newHttpClient();
                assertThat(plain.send(HttpRequest.newBuilder(URI.create(console + "/console/sign-in")).build(),
                        HttpResponse.BodyHandlers.ofString()).body())
                        .contains("href=\"/console/sso/authorization/staff\"", "Sign in with staff");

                // In a real browser, which keeps the console's SameSite=Strict session cookie off the provider's
                // cross-site redirect back: the sign-in must still end on the console, signed in.
                WebDriver browser = HeadlessChromium.start();
                try {
                    browser.get(console + "/console/sign-in");
                    browser.findElement(By.linkText("Sign in with staff")).click();
                    await().atMost(Duration.ofSeconds(20)).until(() -> browser.findElements(By.name("username"))
                            .size() == 1);
                    browser.findElement(By.name("username")).sendKeys("alice");
                    browser.findElement(By.name("password")).sendKeys("password");
                    browser.findElement(By.cssSelector("button[type=submit]")).click();
                    await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() ->
                            browser.getCurrentUrl().equals(console + "/console")
                                    && browser.findElement(By.tagName("h1")).getText().equals("Overview"));
                    browser.get(console + "/console/clients");
                    assertThat(browser.findElements(By.id("name"))).as("admin: the new-client form").hasSize(1);

                    // The admin puts a site behind sign-on from the console: the provider is offered by name.
                    browser.findElement(By.id("name")).sendKeys("wiki");
                    browser.findElement(By.id("create-client")).click();
                    await().atMost(Duration.ofSeconds(10)).until(() -> !browser.findElements(By.id("agent-command"))
                            .isEmpty());
                    long clientId = body(200, server.get("/api/v1/clients")).findValues("id").get(0)
                            .asLong();
                    browser.get(console + "/console/clients/" + clientId);
                    browser.findElement(By.id("proxy-name")).sendKeys("docs");
                    new Select(browser.findElement(By.id("proxy-type"))).selectByValue("http");
                    browser.findElement(By.id("proxy-local-port")).sendKeys("8080");
                    browser.findElement(By.id("proxy-domains")).sendKeys("docs.example");
                    new Select(browser.findElement(By.id("proxy-sso-provider"))).selectByValue("staff");
                    browser.findElement(By.id("proxy-sso-groups")).sendKeys("ops");
                    browser.findElement(By.id("create-proxy")).click();
                    await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> {
                        JsonNode proxy = body(200, server.get("/api/v1/clients/" + clientId + "/proxies")).get(0);
                        assertThat(proxy.get("sso").get("provider").asString()).isEqualTo("staff");
                        assertThat(proxy.get("sso").get("allowGroups").get(0).asString()).isEqualTo("ops");
                    });
                } finally {
                    browser.quit();
                }

                HttpClient dave = TestOidcProvider.browser(new CookieManager(null, CookiePolicy.ACCEPT_ALL));
                assertThat(TestOidcProvider.signIn(dave, console + "/console/sso/authorization/staff", "dave").body())
                        .contains("Signed in.");
                assertThat(page(dave, console + "/console/clients")).as("read-only: the same page, no form")
                        .contains("<h1>Clients</h1>").doesNotContain("id=\"name\"");

                HttpClient bob = TestOidcProvider.browser(new CookieManager(null, CookiePolicy.ACCEPT_ALL));
                HttpResponse<String> refused = TestOidcProvider.signIn(bob,
                        console + "/console/sso/authorization/staff", "bob");
                assertThat(refused.uri().toString()).isEqualTo(console + "/console/sign-in?denied");
                assertThat(refused.body()).contains("does not give access to the console");
                HttpResponse<String> notIn = bob.send(HttpRequest.newBuilder(URI.create(console + "/console/clients"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(notIn.uri().getPath()).as("bob has no session").isEqualTo("/console/sign-in");

                // API tokens are untouched: the API takes no console session, a bearer token works as before.
                assertThat(dave.send(HttpRequest.newBuilder(URI.create(console + "/api/v1/clients")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
                assertThat(server.get("/api/v1/clients").statusCode()).isEqualTo(200);
            }
        }
    }

    private static String page(HttpClient browser, String url) throws Exception {
        HttpResponse<String> response = browser.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.uri().toString()).isEqualTo(url);
        return response.body();
    }
}
