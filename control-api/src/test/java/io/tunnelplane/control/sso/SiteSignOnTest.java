package io.tunnelplane.control.sso;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Who passes a site's sign-on: listed emails, domains or groups; an unverified email matches neither list. */
class SiteSignOnTest {

    @Test
    void emailsAndDomainsMatchWithoutRegardToCaseAndOnlyWhenVerified() {
        SiteSignOn site = new SiteSignOn("staff", List.of("Ops@Partner.example"), List.of("Example.org"), List.of());
        assertThat(site.admits("alice@EXAMPLE.org", true, List.of())).isTrue();
        assertThat(site.admits("ops@partner.example", true, List.of())).isTrue();
        assertThat(site.admits("alice@example.org", false, List.of())).as("unverified").isFalse();
        assertThat(site.admits("eve@sub.example.org", true, List.of())).as("not a subdomain").isFalse();
        assertThat(site.admits("eve@example.org.evil.test", true, List.of())).isFalse();
        assertThat(site.admits(null, true, List.of())).isFalse();
    }

    @Test
    void groupsMatchExactlyAndAnEmptyPolicyAdmitsAnyoneSignedIn() {
        SiteSignOn ops = new SiteSignOn("staff", null, null, List.of("ops"));
        assertThat(ops.admits("bob@example.org", true, List.of("dev", "ops"))).isTrue();
        assertThat(ops.admits("bob@example.org", true, List.of("Ops", "ops-readonly"))).isFalse();
        assertThat(new SiteSignOn("staff", null, null, null).admits(null, false, List.of())).isTrue();
    }
}
