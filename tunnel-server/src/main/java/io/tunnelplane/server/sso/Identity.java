package io.tunnelplane.server.sso;

import java.util.List;

/**
 * Who a visitor signed in as, from the provider's ID token: its subject, email (and whether the provider verified
 * it), display name and groups (the provider's {@code groupsClaim}).
 */
public record Identity(String provider, String subject, String email, boolean emailVerified, String name,
        List<String> groups) {

    public Identity {
        groups = groups == null ? List.of() : List.copyOf(groups);
    }

    /** What the local service gets as the user, and the access log and the 403 page show: email, name or subject. */
    public String user() {
        if (email != null && !email.isEmpty()) {
            return email;
        }
        return name != null && !name.isEmpty() ? name : subject;
    }
}
