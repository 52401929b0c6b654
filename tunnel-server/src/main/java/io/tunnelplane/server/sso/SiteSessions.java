package io.tunnelplane.server.sso;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A site's sign-on cookie: who the visitor is and until when, sealed for that site's host. Checked on every request
 * without asking the provider: the seal and the expiry are the whole check, so a provider outage does not stop
 * signed-in visitors, and a revocation at the provider takes effect at the latest when the cookie expires.
 */
final class SiteSessions {
    static final String COOKIE = "__tunnel_sso";
    private static final String PURPOSE = "session";
    /** Browsers keep cookies up to 4096 bytes; group lists beyond this are cut (the first groups are kept). */
    private static final int MAX_GROUPS_CHARS = 2048;

    private final CookieSeal seal;

    SiteSessions(CookieSeal seal) {
        this.seal = seal;
    }

    String issue(Identity identity, String host, Instant now, Duration lifetime) {
        String groups = String.join("\n", identity.groups());
        if (groups.length() > MAX_GROUPS_CHARS) {
            groups = groups.substring(0, groups.lastIndexOf('\n', MAX_GROUPS_CHARS));
        }
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("p", identity.provider());
        fields.put("sub", identity.subject());
        fields.put("email", identity.email());
        fields.put("ev", identity.emailVerified() ? "1" : "0");
        fields.put("name", identity.name());
        fields.put("g", groups);
        fields.put("exp", Long.toString(now.plus(lifetime).getEpochSecond()));
        return seal.seal(PURPOSE, host, CookieFields.write(fields));
    }

    /** The visitor's identity, or null when the cookie is not one we sealed for this host or has expired. */
    Identity read(String value, String host, Instant now) {
        String plain = seal.open(PURPOSE, host, value);
        if (plain == null) {
            return null;
        }
        Map<String, String> fields = CookieFields.read(plain);
        long expires;
        try {
            expires = Long.parseLong(fields.getOrDefault("exp", "0"));
        } catch (NumberFormatException malformed) {
            return null;
        }
        if (now.getEpochSecond() >= expires || fields.get("sub") == null) {
            return null;
        }
        String groups = fields.getOrDefault("g", "");
        return new Identity(fields.get("p"), fields.get("sub"), fields.get("email"), "1".equals(fields.get("ev")),
                fields.get("name"), groups.isEmpty() ? List.of() : Arrays.asList(groups.split("\n")));
    }
}
