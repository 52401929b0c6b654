package io.tunnelplane.control.sso;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.Locale;

/**
 * Single sign-on in front of an http proxy: visitors sign in with the server's identity provider {@code provider}
 * ({@code tunnel.server.sso.providers.<name>}) before a byte reaches the local service, and pass when their email,
 * its domain or one of their groups is listed; with all three lists empty anyone the provider signs in passes.
 * An email the provider marks unverified ({@code email_verified: false}) matches neither list of addresses.
 */
public record SiteSignOn(
        @Size(max = 64) String provider,
        @Size(max = ENTRIES) List<@NotNull @Pattern(regexp = EMAIL_RULE, message = "must be an email address") String>
        allowEmails,
        @Size(max = ENTRIES) List<@NotNull @Pattern(regexp = DOMAIN_RULE, message = "must be a domain name, e.g. example.org")
        String> allowDomains,
        @Size(max = ENTRIES) List<@NotNull @Size(min = 1, max = 128) String> allowGroups) {
    static final int ENTRIES = 64;
    static final String EMAIL_RULE = "[^@,\\s]{1,64}@[A-Za-z0-9.-]{1,253}";
    static final String DOMAIN_RULE = "[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?";

    public SiteSignOn {
        allowEmails = lower(allowEmails);
        allowDomains = lower(allowDomains);
        allowGroups = allowGroups == null ? List.of() : List.copyOf(allowGroups);
    }

    /** Whether a signed-in visitor with this email (verified or not) and these groups may pass. */
    public boolean admits(String email, boolean emailVerified, List<String> groups) {
        if (allowEmails.isEmpty() && allowDomains.isEmpty() && allowGroups.isEmpty()) {
            return true;
        }
        if (email != null && emailVerified) {
            String address = email.toLowerCase(Locale.ROOT);
            if (allowEmails.contains(address)) {
                return true;
            }
            int at = address.lastIndexOf('@');
            if (at > 0 && allowDomains.contains(address.substring(at + 1))) {
                return true;
            }
        }
        return groups.stream().anyMatch(allowGroups::contains);
    }

    private static List<String> lower(List<String> entries) {
        return entries == null ? List.of() : entries.stream().map(e -> e.toLowerCase(Locale.ROOT)).toList();
    }
}
