package io.tunnelplane.control;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The control plane's settings ({@code tunnel.api.*}, {@code tunnel.events.*} share this record's prefix root).
 *
 * @param adminToken   bearer token for the API; when empty one is generated at first start, stored hashed and
 *                     printed once
 * @param publicPaths  paths served without a token (Ant patterns)
 * @param maxBodySize  largest request body accepted, in bytes
 * @param eventRetention how long connection events are kept
 * @param maxProxiesPerClient proxies one client may have; 0 means unlimited
 * @param readOnlyTokens bearer tokens that may read the API and metrics but change nothing
 * @param consoleSessionLifetime how long a console sign-in lasts, however active the session
 * @param consoleSignOn  operators' sign-in to the console with one of the server's OpenID Connect providers
 */
@Validated
@ConfigurationProperties("tunnel.api")
public record ControlPlaneProperties(
        String adminToken,
        @DefaultValue({"/actuator/health", "/actuator/health/**", "/actuator/prometheus", "/v3/api-docs/**",
                "/swagger-ui/**", "/swagger-ui.html"}) List<String> publicPaths,
        @DefaultValue("65536") long maxBodySize,
        @DefaultValue("30d") @NotNull Duration eventRetention,
        @DefaultValue("100") @jakarta.validation.constraints.Min(0) int maxProxiesPerClient,
        @DefaultValue List<String> readOnlyTokens,
        @DefaultValue("8h") @NotNull Duration consoleSessionLifetime,
        @DefaultValue @Valid ConsoleSignOn consoleSignOn) {

    /**
     * Sign-in to the console with the provider {@code provider} ({@code tunnel.server.sso.providers.<name>}; empty:
     * API tokens only): members of an {@code adminGroups} group may change everything, of a
     * {@code readOnlyGroups} group look at everything; anyone else the provider signs in is refused. Groups come
     * from the provider's {@code groups-claim}. API tokens keep working beside it.
     */
    public record ConsoleSignOn(@DefaultValue("") String provider, @DefaultValue List<String> adminGroups,
            @DefaultValue List<String> readOnlyGroups) {

        public boolean enabled() {
            return !provider.isEmpty();
        }
    }

    @Override
    public String toString() {
        return "ControlPlaneProperties[adminToken=" + (adminToken == null || adminToken.isEmpty() ? "-" : "****")
                + ", publicPaths=" + publicPaths + ", readOnlyTokens=" + readOnlyTokens.size() + " (masked)]";
    }
}
