package io.tunnelplane.server.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tunnelplane.agent.Agent;
import io.tunnelplane.server.support.FreePorts;
import io.tunnelplane.server.support.HeadlessChromium;
import io.tunnelplane.server.support.LocalService;
import io.tunnelplane.server.support.PackagedNode;
import io.tunnelplane.server.support.TestAgents;
import io.tunnelplane.server.support.Visitor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import tools.jackson.databind.JsonNode;

/**
 * The operator console in a real browser (Debian's headless chromium through chromedriver) against the packaged
 * server and a real agent, as an operator uses it: sign in, create a client, run the agent with the command the
 * token page shows, watch it come online without a reload, create proxies (a refused port answered next to the
 * field), reach the service, kick, and look again with a read-only token. With {@code -Dconsole.screenshots=DIR}
 * the main pages are saved there as PNG (docs/console.md).
 */
class ConsoleIT {
    private static final String READER = "console-reader-token";

    @TempDir
    Path dir;
    private PackagedNode node;
    private WebDriver browser;
    private String base;

    @BeforeEach
    void start() throws Exception {
        browser = HeadlessChromium.start();
        node = PackagedNode.embedded("console", "127.0.0.1", dir, "tunnel.server.allow-ports=10000-20000",
                "tunnel.api.read-only-tokens[0]=" + READER, "tunnel.server.vhost.http-port=" + FreePorts.any())
                .awaitReady();
        base = "http://127.0.0.1:" + node.httpPort();
    }

    @AfterEach
    void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (node != null) {
            node.close();
        }
    }

    @Test
    void anOperatorManagesATunnelFromTheBrowser() throws Exception {
        try (LocalService echo = new LocalService(LocalService.Mode.ECHO)) {
            browser.get(base + "/");
            assertThat(browser.getCurrentUrl()).as("a newcomer lands on the sign-in").endsWith("/console/sign-in");
            signIn("wrong-token");
            assertThat(shown("[role=alert]")).isEqualTo("That token was not accepted.");
            signIn(PackagedNode.ADMIN);
            assertThat(shown("#counts")).contains("healthy");
            assertThat(text("h1")).isEqualTo("Overview");
            browser.get(base + "/console/clients/9999");
            assertThat(shown("h1")).isEqualTo("Not possible (404)");
            assertThat(text("[role=alert]")).contains("9999");

            // Create a client; the token page shows it once with the command to run.
            browser.get(base + "/console/clients");
            type("#name", "office");
            type("#description", "<script>alert(1)</script>");
            browser.findElement(By.id("create-client")).click();
            String command = shown("#agent-command");
            assertThat(command).as(browser.getPageSource()).startsWith("tunnel-agent/bin/tunnel-agent --server 127.0.0.1:"
                    + node.agentPort()
                    + " --token 'office.");
            screenshot("token");
            Matcher token = Pattern.compile("--token '([^']+)'").matcher(command);
            assertThat(token.find()).isTrue();

            // The client's page is open; the agent starts; the page turns online without a reload.
            browser.get(base + "/console/clients");
            assertThat(browser.getPageSource()).as("a user-supplied description is shown as text, never run")
                    .contains("&lt;script&gt;alert(1)&lt;/script&gt;");
            assertThatThrownBy(() -> browser.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
            browser.findElement(By.linkText("office")).click();
            String clientUrl = browser.getCurrentUrl();
            assertThat(shown("#state")).isEqualTo("offline");
            ((JavascriptExecutor) browser).executeScript("window.notReloaded = true;");
            Agent agent = TestAgents.start(node.agentPort(), token.group(1), Duration.ofSeconds(1));
            try {
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10))
                        .until(() -> agent.metrics().isConnected());
                long connected = System.nanoTime();
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                        .until(() -> text("#state").equals("healthy"));
                // Reported, not asserted (no timings in tests): docs/console.md quotes it.
                System.out.printf("console: the open page showed the agent online %d ms after it connected%n",
                        (System.nanoTime() - connected) / 1_000_000);
                assertThat(((JavascriptExecutor) browser).executeScript("return window.notReloaded === true;"))
                        .as("the page updated itself").isEqualTo(true);
                await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                        .until(() -> text("p.host").contains("memory available"));

                // A port outside tunnel.server.allow-ports is refused next to its field, and nothing is stored.
                int publicPort = FreePorts.inRange(10000, 20000);
                createProxy("echo", echo.port(), 40000);
                assertThat(shown("#proxy-remotePort-error")).contains("outside tunnel.server.allow-ports");
                assertThat(browser.findElement(By.id("proxy-name")).getAttribute("value")).isEqualTo("echo");
                long clientId = Long.parseLong(clientUrl.replaceAll(".*/clients/(\\d+).*", "$1"));
                assertThat(node.json(200, node.get("/api/v1/clients/" + clientId + "/proxies")).size()).isZero();
                createProxy("echo", echo.port(), publicPort);
                assertThat(shown("p.notice[role=status]")).contains("Proxy echo created");
                Visitor.awaitEcho("127.0.0.1", publicPort, Duration.ofSeconds(20));
                await().atMost(Duration.ofSeconds(10)).until(() -> text("tr[data-proxy=echo] .state")
                        .equals("listening"));

                // Traffic shows on the open page as the engine samples it (every 10 s), in the API likewise.
                byte[] payload = new byte[256 * 1024];
                assertThat(Visitor.exchange(publicPort, payload)).hasSize(payload.length);
                // Read in one script: the live section is replaced every second.
                await().atMost(Duration.ofSeconds(30)).until(() -> (Boolean) ((JavascriptExecutor) browser)
                        .executeScript("""
                                const peak = document.querySelector('#traffic-peak');
                                const line = document.querySelector('#traffic polyline.in');
                                return !!peak && !peak.textContent.startsWith('0 B')
                                    && !!line && line.getAttribute('points').trim().length > 0;"""));
                JsonNode samples = node.json(200, node.get("/api/v1/clients/" + clientId + "/traffic"));
                assertThat(samples).anySatisfy(sample -> {
                    assertThat(sample.get("bytesInPerSecond").asLong()).isPositive();
                    assertThat(sample.get("bytesOutPerSecond").asLong()).isPositive();
                });

                // An http proxy with the fields only http takes: paths and basic auth, a short password refused.
                createHttpProxy("site", echo.port(), "site.example", "/app, /api", "ops", "short");
                assertThat(shown("#proxy-httpPassword-error")).contains("8");
                assertThat(browser.findElement(By.id("proxy-locations")).getAttribute("value")).isEqualTo("/app, /api");
                createHttpProxy("site", echo.port(), "site.example", "/app, /api", "ops", "long-enough-secret");
                assertThat(shown("p.notice[role=status]")).contains("Proxy site created");
                JsonNode site = StreamSupport.stream(node.json(200,
                        node.get("/api/v1/clients/" + clientId + "/proxies")).spliterator(), false)
                        .filter(p -> p.get("name").asString().equals("site")).findFirst().orElseThrow();
                assertThat(site.get("locations").toString()).isEqualTo("[\"/app\",\"/api\"]");
                assertThat(site.get("httpUser").asString()).isEqualTo("ops");

                // Kick: the agent comes back, and the timeline gains the kicked session.
                browser.findElement(By.id("kick")).click();
                await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
                    browser.navigate().refresh();
                    return !browser.findElements(By.cssSelector("#sessions li[data-cause=kicked]")).isEmpty()
                            && !browser.findElements(By.cssSelector(".timeline rect[data-cause=kicked]")).isEmpty();
                });

                await().atMost(Duration.ofSeconds(20)).until(() -> text("#state").equals("healthy"));

                type("#edit-description", "head office");
                type("#edit-labels", "site=berlin, broken");
                browser.findElement(By.id("save-details")).click();
                assertThat(shown("#labels-error")).contains("'broken' is not key=value");
                assertThat(browser.findElement(By.id("edit-labels")).getAttribute("value"))
                        .isEqualTo("site=berlin, broken");
                assertThat(browser.findElement(By.id("edit-description")).getAttribute("value"))
                        .as("what was typed survives the refusal").isEqualTo("head office");
                type("#edit-labels", "site=berlin, env=prod");
                browser.findElement(By.id("save-details")).click();
                assertThat(shown("p.notice[role=status]")).isEqualTo("Description and labels saved.");
                assertThat(text("ul.labels")).contains("env=prod").contains("site=berlin");
                assertThat(browser.findElement(By.id("edit-labels")).getAttribute("value"))
                        .isEqualTo("env=prod, site=berlin");

                // An frpc.toml: its TCP proxy is created, its stcp one (no equivalent here) listed as skipped.
                int sshPort = FreePorts.inRange(10000, 20000);
                type("#toml", "[[proxies]]\nname = \"ssh\"\ntype = \"tcp\"\nlocalIP = \"127.0.0.1\"\nlocalPort = "
                        + echo.port() + "\nremotePort = " + sshPort + "\n\n[[proxies]]\nname = \"secret\"\n"
                        + "type = \"stcp\"\nlocalPort = 22\n");
                browser.findElement(By.id("import")).click();
                assertThat(shown("p.notice[role=status]")).isEqualTo("Imported 1 proxies: ssh.");
                assertThat(text("#skipped")).startsWith("secret: type stcp has no equivalent here");
                assertThat(text("tr[data-proxy=ssh] td:nth-child(3)")).isEqualTo("127.0.0.1:" + sshPort);
                screenshot("client");

                // Every proxy on one page; an edit is checked like the API checks it, a refusal next to its field.
                browser.get(base + "/console/proxies");
                assertThat(shown("tr[data-proxy=echo] td:nth-child(2)")).isEqualTo("office");
                browser.findElement(By.cssSelector("tr[data-proxy=ssh] a[href$='/edit']")).click();
                type("#remote-port", "40001");
                browser.findElement(By.id("save-proxy")).click();
                assertThat(shown("#edit-remotePort-error")).contains("outside tunnel.server.allow-ports");
                int movedPort = FreePorts.inRange(10000, 20000);
                type("#remote-port", Integer.toString(movedPort));
                browser.findElement(By.id("save-proxy")).click();
                assertThat(shown("p.notice[role=status]")).isEqualTo("Proxy ssh saved.");
                Visitor.awaitEcho("127.0.0.1", movedPort, Duration.ofSeconds(20));

                // Source rules: a bad entry is named next to its field; a good rule is kept and shown again.
                browser.get(base + "/console/proxies");
                browser.findElement(By.cssSelector("tr[data-proxy=ssh] a[href$='/edit']")).click();
                type("#deny-from", "192.0.2.0/24, 10.0.0.0/33");
                browser.findElement(By.id("save-proxy")).click();
                assertThat(shown("#edit-denyFrom-error")).contains("'10.0.0.0/33'").contains("0-32");
                type("#deny-from", "192.0.2.0/24");
                browser.findElement(By.id("save-proxy")).click();
                assertThat(shown("p.notice[role=status]")).isEqualTo("Proxy ssh saved.");
                browser.findElement(By.cssSelector("tr[data-proxy=ssh] a[href$='/edit']")).click();
                assertThat(browser.findElement(By.id("deny-from")).getAttribute("value")).isEqualTo("192.0.2.0/24");
                Visitor.awaitEcho("127.0.0.1", movedPort, Duration.ofSeconds(20));

                // The clients page says why each agent's last session ended.
                browser.get(base + "/console/clients");
                assertThat(shown("tr[data-client=office] .last-end")).startsWith("kicked,");
                browser.get(base + "/console");
                shown("#counts");
                assertThat(text("#nodes tbody tr")).startsWith("console (this one)");
                screenshot("overview");
                for (String page : List.of(base + "/console", base + "/console/clients", clientUrl,
                        base + "/console/proxies")) {
                    checkUsable(page);
                }

                // A change without the CSRF token is refused, even with the admin's session; and the session is
                // the console's only: the API still wants a bearer token.
                Cookie session = browser.manage().getCookieNamed("JSESSIONID");
                HttpResponse<String> forged = post(clientUrl + "/kick", session, "");
                assertThat(forged.statusCode()).isEqualTo(403);
                assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/api/v1/clients"))
                        .header("Cookie", session.getName() + "=" + session.getValue()).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);

                // Read-only: the same pages, no buttons, and a change (with a valid CSRF token) is refused.
                browser.findElement(By.cssSelector("form[action$='/console/sign-out'] button")).click();
                assertThat(shown("[role=status]")).isEqualTo("Signed out.");
                signIn(READER);
                browser.get(clientUrl);
                assertThat(shown("h1")).isEqualTo("office");
                assertThat(text("#state")).isEqualTo("healthy");
                assertThat(browser.findElements(By.id("kick"))).isEmpty();
                assertThat(browser.findElements(By.id("proxy-form"))).isEmpty();
                browser.get(base + "/console/clients");
                assertThat(shown("h1")).isEqualTo("Clients");
                assertThat(browser.findElements(By.id("name"))).as("no new-client form").isEmpty();
                String csrf = browser.findElement(By.cssSelector("form[action$='/console/sign-out'] input[name=_csrf]"))
                        .getAttribute("value");
                HttpResponse<String> readOnlyKick = post(clientUrl + "/kick",
                        browser.manage().getCookieNamed("JSESSIONID"), "_csrf=" + csrf);
                assertThat(readOnlyKick.statusCode()).isEqualTo(403);
                assertThat(agent.metrics().sessions()).as("only the admin's kick reconnected the agent").isEqualTo(2);
                screenshot("clients");
            } finally {
                agent.stop();
            }
        }
    }

    private void createHttpProxy(String name, int localPort, String domain, String locations, String user,
            String password) {
        type("#proxy-name", name);
        new Select(browser.findElement(By.id("proxy-type"))).selectByValue("http");
        assertThat(browser.findElement(By.id("proxy-remote-port")).isDisplayed())
                .as("the tcp and udp fields hide for http").isFalse();
        type("#proxy-local-port", Integer.toString(localPort));
        type("#proxy-domains", domain);
        type("#proxy-locations", locations);
        type("#proxy-http-user", user);
        type("#proxy-http-password", password);
        browser.findElement(By.id("create-proxy")).click();
    }

    /**
     * What a keyboard and screen-reader user needs from a page, checked in the browser: a language, one h1, a label
     * for every field and a name for every button and link; and on a phone-sized window, nothing wider than it.
     */
    private void checkUsable(String url) {
        browser.get(url);
        shown("h1");
        JavascriptExecutor js = (JavascriptExecutor) browser;
        Object problems = js.executeScript("""
                const problems = [];
                if (!document.documentElement.lang) problems.push('no lang');
                if (document.querySelectorAll('h1').length !== 1) problems.push('h1 count');
                for (const field of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
                  const labelled = (field.id && document.querySelector('label[for="' + field.id + '"]'))
                      || field.getAttribute('aria-label') || field.closest('label');
                  if (!labelled) problems.push('unlabelled ' + (field.id || field.name));
                }
                for (const control of document.querySelectorAll('button, a[href]')) {
                  if (!(control.textContent.trim() || control.getAttribute('aria-label'))) {
                    problems.push('nameless ' + control.outerHTML);
                  }
                }
                return problems.join('; ');""");
        assertThat(problems).as(url).isEqualTo("");
        browser.manage().window().setSize(new Dimension(390, 844));
        try {
            browser.navigate().refresh();
            shown("h1");
            assertThat(js.executeScript("return document.documentElement.scrollWidth <= window.innerWidth;"))
                    .as(url + " fits a phone's width").isEqualTo(true);
        } finally {
            browser.manage().window().setSize(new Dimension(1280, 1000));
        }
    }

    private void signIn(String token) {
        browser.get(base + "/console/sign-in");
        type("#token", token);
        browser.findElement(By.cssSelector("form[action$='/console/sign-in'] button")).click();
    }

    private void createProxy(String name, int localPort, int remotePort) {
        type("#proxy-name", name);
        type("#proxy-local-port", Integer.toString(localPort));
        type("#proxy-remote-port", Integer.toString(remotePort));
        browser.findElement(By.id("create-proxy")).click();
    }

    private void type(String css, String value) {
        WebElement field = browser.findElement(By.cssSelector(css));
        field.clear();
        field.sendKeys(value);
    }

    /** The text of an element of the page a click leads to, once that page has it. */
    private String shown(String css) {
        await().atMost(Duration.ofSeconds(10)).until(() -> !browser.findElements(By.cssSelector(css)).isEmpty());
        return text(css);
    }

    /** The element's text; the live parts of a page are replaced every two seconds, so a stale one is read again. */
    private String text(String css) {
        for (int attempt = 0; ; attempt++) {
            try {
                List<WebElement> found = browser.findElements(By.cssSelector(css));
                return found.isEmpty() ? "" : found.get(0).getText().strip();
            } catch (StaleElementReferenceException replaced) {
                if (attempt == 5) {
                    throw replaced;
                }
            }
        }
    }

    private HttpResponse<String> post(String url, Cookie session, String form) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .header("Cookie", session.getName() + "=" + session.getValue())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Saves the page as PNG under {@code -Dconsole.screenshots}, when given. */
    private void screenshot(String name) throws Exception {
        String target = System.getProperty("console.screenshots");
        if (target != null && !target.isBlank()) {
            Path file = Path.of(target).resolve(name + ".png");
            Files.createDirectories(file.getParent());
            ((JavascriptExecutor) browser).executeScript("window.scrollTo(0, 0);");
            Files.write(file, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        }
    }
}
