package io.tunnelplane.server.sso;

import static org.assertj.core.api.Assertions.assertThat;

import io.tunnelplane.control.sso.SignOnKeys.SignOnKey;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sealed sign-on cookie: opens only unchanged, unexpired, on its own host, under a key still kept. */
class SiteSessionsTest {
    private static final Instant T0 = Instant.parse("2026-12-03T10:00:00Z");
    private static final Duration LIFETIME = Duration.ofHours(12);
    private static final Identity ALICE = new Identity("staff", "sub-1", "alice@example.org", true, "Alice",
            List.of("ops", "dev, ops"));

    private final CookieSeal seal = new CookieSeal();
    private final SiteSessions sessions = new SiteSessions(seal);

    @Test
    void aCookieOpensOnItsHostUntilItExpires() {
        seal.keys(List.of(key(1, T0)), T0);
        String cookie = sessions.issue(ALICE, "wiki.example.org", T0, LIFETIME);
        assertThat(sessions.read(cookie, "wiki.example.org", T0.plus(LIFETIME).minusSeconds(1))).isEqualTo(ALICE);
        assertThat(sessions.read(cookie, "wiki.example.org", T0.plus(LIFETIME))).as("expired").isNull();
        assertThat(sessions.read(cookie, "grafana.example.org", T0)).as("another site").isNull();
        assertThat(cookie).doesNotContain("alice").as("sealed, not just signed");
    }

    @Test
    void anyChangeToTheCookieIsRefused() {
        seal.keys(List.of(key(1, T0)), T0);
        String cookie = sessions.issue(ALICE, "wiki.example.org", T0, LIFETIME);
        // Every character but the last: base64's final character may carry unused bits that decode the same.
        for (int i = 0; i < cookie.length() - 1; i++) {
            char changed = cookie.charAt(i) == 'A' ? 'B' : 'A';
            String tampered = cookie.substring(0, i) + changed + cookie.substring(i + 1);
            assertThat(sessions.read(tampered, "wiki.example.org", T0)).as("changed at " + i).isNull();
        }
        assertThat(sessions.read("", "wiki.example.org", T0)).isNull();
        assertThat(sessions.read("1.", "wiki.example.org", T0)).isNull();
        assertThat(sessions.read("x.y", "wiki.example.org", T0)).isNull();
    }

    @Test
    void aRotationKeepsOldCookiesWorkingAndANewKeySealsOnceActive() {
        SignOnKey first = key(1, T0);
        seal.keys(List.of(first), T0);
        String old = sessions.issue(ALICE, "wiki.example.org", T0, LIFETIME);

        SignOnKey second = key(2, T0.plusSeconds(60));
        seal.keys(List.of(first, second), T0.plusSeconds(30));
        assertThat(sessions.issue(ALICE, "wiki.example.org", T0, LIFETIME)).as("not active yet").startsWith("1.");
        seal.keys(List.of(first, second), T0.plusSeconds(60));
        assertThat(sessions.issue(ALICE, "wiki.example.org", T0, LIFETIME)).startsWith("2.");
        assertThat(sessions.read(old, "wiki.example.org", T0.plusSeconds(61))).isEqualTo(ALICE);

        seal.keys(List.of(second), T0.plusSeconds(120));
        assertThat(sessions.read(old, "wiki.example.org", T0.plusSeconds(121))).as("its key retired").isNull();
    }

    @Test
    void theLoginStateOpensOnlyWhereItStartedAndForTenMinutes() {
        seal.keys(List.of(key(1, T0)), T0);
        LoginState login = LoginState.start("staff", 7, "/wiki?rev=2", T0);
        String cookie = login.seal(seal, "wiki.example.org");
        assertThat(LoginState.open(seal, "wiki.example.org", cookie, T0.plusSeconds(599))).isEqualTo(login);
        assertThat(LoginState.open(seal, "wiki.example.org", cookie, T0.plus(LoginState.LIFETIME))).isNull();
        assertThat(LoginState.open(seal, "other.example.org", cookie, T0)).isNull();
        // A session cookie is not a login state, nor the other way round: the purpose is sealed in.
        assertThat(sessions.read(cookie, "wiki.example.org", T0)).isNull();
        assertThat(login.challenge()).hasSize(43).isNotEqualTo(login.verifier());
    }

    private static SignOnKey key(long id, Instant activeFrom) {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return new SignOnKey(id, secret, activeFrom, activeFrom);
    }
}
