package io.tunnelplane.control.console;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.security.oauth2.client.web.AuthorizationRequestRepository;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;

/**
 * Where an operator's sign-in under way is remembered until the provider sends the browser back. Not in the HTTP
 * session: the console's session cookie is SameSite=Strict, so a browser does not send it on the provider's
 * cross-site redirect. Kept here by {@code state}, bound to the browser that started it by a random value in a
 * SameSite=Lax cookie (so a callback URL replayed into another browser, login CSRF, finds nothing), for at most
 * {@link #KEPT}.
 */
final class ConsoleLoginRequests implements AuthorizationRequestRepository<OAuth2AuthorizationRequest> {
    static final String COOKIE = "__console_login";
    private static final Duration KEPT = Duration.ofMinutes(10);
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Pending(OAuth2AuthorizationRequest request, String browser, Instant expires) {
    }

    private final Map<String, Pending> byState = new ConcurrentHashMap<>();
    private final Clock clock = Clock.systemUTC();

    @Override
    public OAuth2AuthorizationRequest loadAuthorizationRequest(HttpServletRequest request) {
        Pending pending = pending(request);
        return pending == null ? null : pending.request();
    }

    @Override
    public void saveAuthorizationRequest(OAuth2AuthorizationRequest authorization, HttpServletRequest request,
            HttpServletResponse response) {
        if (authorization == null) {
            return;
        }
        Instant now = clock.instant();
        byState.values().removeIf(p -> p.expires().isBefore(now));
        byte[] random = new byte[24];
        RANDOM.nextBytes(random);
        String browser = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        byState.put(authorization.getState(), new Pending(authorization, browser, now.plus(KEPT)));
        response.addHeader("Set-Cookie", COOKIE + "=" + browser + "; Path=/console/sso; Max-Age="
                + KEPT.toSeconds() + "; HttpOnly; SameSite=Lax" + (request.isSecure() ? "; Secure" : ""));
    }

    @Override
    public OAuth2AuthorizationRequest removeAuthorizationRequest(HttpServletRequest request,
            HttpServletResponse response) {
        Pending pending = pending(request);
        if (pending == null) {
            return null;
        }
        byState.remove(pending.request().getState());
        response.addHeader("Set-Cookie", COOKIE + "=; Path=/console/sso; Max-Age=0; HttpOnly; SameSite=Lax");
        return pending.request();
    }

    private Pending pending(HttpServletRequest request) {
        String state = request.getParameter("state");
        Pending pending = state == null ? null : byState.get(state);
        if (pending == null || pending.expires().isBefore(clock.instant())) {
            return null;
        }
        Cookie[] cookies = request.getCookies();
        if (cookies != null) {
            for (Cookie cookie : cookies) {
                // Some clients quote cookie values (RFC 2965 style); the value itself is never quoted.
                if (cookie.getName().equals(COOKIE) && cookie.getValue().replace("\"", "").equals(pending.browser())) {
                    return pending;
                }
            }
        }
        return null;
    }
}
