package io.tunnelplane.server.sso;

import io.tunnelplane.server.engine.LifecyclePhases;
import io.tunnelplane.control.ControlPlaneProperties;
import io.tunnelplane.control.runtime.ProxyDefinition;
import io.tunnelplane.control.sso.SignOnKeys;
import io.tunnelplane.control.sso.SiteSignOn;
import io.tunnelplane.server.config.TunnelServerProperties;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Single sign-on in front of http proxies ({@code tunnel.server.sso}): which proxies ask for it and whom they let
 * pass, the visitors' sealed sign-on cookies, and the sign-in itself with the configured OpenID Connect providers.
 * The checks made on every request ({@link #signedIn}) are local and cheap; everything that waits on a provider
 * returns a future completed off the event loops. The cookie keys live in the database, shared by every node, and
 * are re-read every {@link #KEY_REFRESH}.
 */
@Component
public class SignOn implements SmartLifecycle {
    static final Duration KEY_REFRESH = Duration.ofSeconds(20);
    /** The cookie that says who a site's visitor is. */
    public static final String SESSION_COOKIE = SiteSessions.COOKIE;
    /** The cookie that remembers a sign-in under way, read back by the callback only. */
    public static final String LOGIN_COOKIE = LoginState.COOKIE;
    /** How long a visitor may take at the provider before the sign-in must start again. */
    public static final Duration SIGN_IN_TIME = LoginState.LIFETIME;
    private static final Logger log = LoggerFactory.getLogger("io.tunnelplane.sso");

    private final TunnelServerProperties.Sso settings;
    private final SignOnKeys keys;
    private final Clock clock;
    private final CookieSeal seal = new CookieSeal();
    private final SiteSessions sessions = new SiteSessions(seal);
    private final Map<String, OidcProvider> providers = new TreeMap<>();
    private final Map<Long, SiteSignOn> byProxy = new ConcurrentHashMap<>();
    private final ScheduledExecutorService work = Executors.newScheduledThreadPool(2, r -> {
        Thread thread = new Thread(r, "sso");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean running;

    public SignOn(TunnelServerProperties properties, ControlPlaneProperties controlPlane, SignOnKeys keys,
            Clock clock) {
        this.settings = properties.sso();
        String console = controlPlane.consoleSignOn().provider();
        if (!console.isEmpty() && !settings.providers().containsKey(console)) {
            throw new IllegalStateException("tunnel.api.console-sign-on.provider names " + console + ", which is not "
                    + "one of tunnel.server.sso.providers " + settings.providers().keySet());
        }
        this.keys = keys;
        this.clock = clock;
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).executor(work)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        settings.providers().forEach((name, provider) -> providers.put(name,
                new OidcProvider(name, provider, http, work, clock)));
    }

    /** A site's sign-on answer: where the browser goes, and the cookie that remembers the sign-in under way. */
    public record SignInRedirect(URI location, String loginCookie) {
    }

    /** A completed sign-in: the visitor's new sign-on cookie and where it was going. */
    public record SignedIn(Identity identity, String sessionCookie, String returnTo) {
    }

    public Set<String> providerNames() {
        return providers.keySet();
    }

    public Duration sessionLifetime() {
        return settings.sessionLifetime();
    }

    public String userHeader() {
        return settings.userHeader();
    }

    public String emailHeader() {
        return settings.emailHeader();
    }

    /** Takes the sign-on settings of {@code proxies} (adding, changing or lifting them). */
    public void update(List<ProxyDefinition> proxies) {
        for (ProxyDefinition proxy : proxies) {
            if (proxy.signOn() == null) {
                byProxy.remove(proxy.id());
            } else {
                byProxy.put(proxy.id(), proxy.signOn());
            }
        }
    }

    /** Who the proxy's visitors must sign in as, or null when it is open. */
    public SiteSignOn policy(long proxyId) {
        return byProxy.get(proxyId);
    }

    /**
     * The identity in the site's sign-on cookie when it is ours, for this host, unexpired and from the provider
     * the proxy asks for; else null (the visitor signs in again). {@code host} without its port.
     */
    public Identity signedIn(SiteSignOn policy, String host, String cookie) {
        if (cookie == null) {
            return null;
        }
        Identity identity = sessions.read(cookie, host, clock.instant());
        return identity != null && policy.provider().equals(identity.provider()) ? identity : null;
    }

    /**
     * Starts a sign-in for a visitor of {@code origin} ({@code scheme://host[:port]}, as the browser sees the site)
     * going to {@code returnTo}: the provider's authorization request, and the cookie that remembers it.
     */
    public CompletableFuture<SignInRedirect> signIn(long proxyId, SiteSignOn policy, String origin, String host,
            String returnTo) {
        OidcProvider provider = providers.get(policy.provider());
        if (provider == null || !seal.ready()) {
            return CompletableFuture.failedFuture(new SignOnException(provider == null ? "identity provider "
                    + policy.provider() + " is not configured on this node" : "the cookie keys are not read yet"));
        }
        LoginState login = LoginState.start(provider.name(), proxyId, safeReturn(returnTo), clock.instant());
        return provider.endpoints().thenApply(endpoints -> new SignInRedirect(
                provider.authorizationRequest(endpoints, callback(origin), login), login.seal(seal, host)));
    }

    /**
     * Completes a sign-in when the provider sends the visitor back to {@code /.tunnel/callback} with {@code code}
     * and {@code state} (or an {@code error}); fails with a {@link SignOnException} saying why it cannot.
     */
    public CompletableFuture<SignedIn> complete(String origin, String host, Map<String, String> query,
            String loginCookie) {
        LoginState login = LoginState.open(seal, host, loginCookie, clock.instant());
        if (query.containsKey("error")) {
            return CompletableFuture.failedFuture(new SignOnException("the identity provider did not sign you in: "
                    + query.get("error")));
        }
        if (login == null) {
            return CompletableFuture.failedFuture(new SignOnException("this sign-in was not started in this browser "
                    + "or took longer than " + LoginState.LIFETIME.toMinutes() + " minutes"));
        }
        if (!login.state().equals(query.get("state")) || query.get("code") == null) {
            return CompletableFuture.failedFuture(new SignOnException("the answer does not belong to the sign-in "
                    + "this browser started (state)"));
        }
        SiteSignOn policy = byProxy.get(login.proxyId());
        OidcProvider provider = providers.get(login.provider());
        if (policy == null || provider == null || !policy.provider().equals(login.provider())) {
            return CompletableFuture.failedFuture(new SignOnException("this site no longer signs in with "
                    + login.provider()));
        }
        return provider.exchange(query.get("code"), callback(origin), login).thenApply(identity -> {
            log.info("sso sign-in host={} provider={} user={}", host, provider.name(), identity.user());
            return new SignedIn(identity, sessions.issue(identity, host, clock.instant(),
                    settings.sessionLifetime()), login.returnTo());
        });
    }

    static String callback(String origin) {
        return origin + "/.tunnel/callback";
    }

    /** Only a path on the same site: never somewhere else (an open redirect). */
    private static String safeReturn(String target) {
        return target.startsWith("/") && !target.startsWith("//") && !target.startsWith("/\\") ? target : "/";
    }

    @Override
    public void start() {
        running = true;
        if (providers.isEmpty()) {
            return;
        }
        keys.ensureOne(clock.instant());
        refreshKeys();
        work.scheduleWithFixedDelay(this::refreshKeys, KEY_REFRESH.toMillis(), KEY_REFRESH.toMillis(),
                TimeUnit.MILLISECONDS);
        // Discovered now, so the first visitor does not wait; a provider that is down is retried on demand.
        providers.values().forEach(provider -> provider.endpoints().whenComplete((found, failure) -> {
            if (failure != null) {
                log.warn("sso provider {} cannot be discovered yet: {}", provider.name(),
                        failure.getCause() != null ? failure.getCause().getMessage() : failure.getMessage());
            } else {
                log.info("sso provider {} discovered (issuer {})", provider.name(), found.issuer());
            }
        }));
    }

    private void refreshKeys() {
        try {
            keys.retire(clock.instant(), settings.sessionLifetime().plus(LoginState.LIFETIME));
            seal.keys(keys.all(), clock.instant());
        } catch (RuntimeException e) {
            log.warn("sso cookie keys not re-read: {}", e.getMessage());
        }
    }

    @Override
    public void stop() {
        running = false;
        work.shutdownNow();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** The virtual hosts depend on it: in a higher phase it would stop them at SIGTERM (see LifecyclePhases). */
    @Override
    public int getPhase() {
        return LifecyclePhases.VIRTUAL_HOSTS;
    }
}
