package io.tunnelplane.server.sso;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.tunnelplane.control.sso.GroupsClaim;
import io.tunnelplane.server.config.TunnelServerProperties.SsoProvider;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;

/**
 * One OpenID Connect provider as the server's confidential client: its endpoints discovered from the issuer
 * ({@code /.well-known/openid-configuration}, retried no more than every {@link #RETRY} after a failure), the
 * authorization request (code flow with PKCE S256, {@code state} and {@code nonce}), the code exchange and the ID
 * token check (signature against the provider's published keys, issuer, audience, expiry, nonce). Everything
 * that waits on the network runs on {@code work}, never on an event loop.
 */
final class OidcProvider {
    static final Duration RETRY = Duration.ofSeconds(10);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** The provider's endpoints, and the ID-token check bound to its issuer and keys. */
    record Endpoints(String issuer, URI authorization, URI token, DefaultJWTProcessor<SecurityContext> idTokens) {
    }

    private final String name;
    private final SsoProvider settings;
    private final HttpClient http;
    private final Executor work;
    private final Clock clock;
    private CompletableFuture<Endpoints> endpoints;
    private Instant failedAt = Instant.MIN;

    OidcProvider(String name, SsoProvider settings, HttpClient http, Executor work, Clock clock) {
        this.name = name;
        this.settings = settings;
        this.http = http;
        this.work = work;
        this.clock = clock;
    }

    String name() {
        return name;
    }

    /** The discovered endpoints; a failed discovery is tried again once {@link #RETRY} has passed. */
    synchronized CompletableFuture<Endpoints> endpoints() {
        Instant now = clock.instant();
        if (endpoints == null || (endpoints.isCompletedExceptionally() && failedAt.plus(RETRY).isBefore(now))) {
            URI discovery = URI.create(withoutSlash(settings.issuerUri()) + "/.well-known/openid-configuration");
            endpoints = http.sendAsync(HttpRequest.newBuilder(discovery).timeout(TIMEOUT)
                            .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString())
                    .thenApplyAsync(this::endpointsOf, work)
                    .whenComplete((found, failure) -> {
                        if (failure != null) {
                            synchronized (this) {
                                failedAt = clock.instant();
                            }
                        }
                    });
        }
        return endpoints;
    }

    private Endpoints endpointsOf(HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            throw new SignOnException("discovery at " + response.uri() + " answered " + response.statusCode());
        }
        Map<String, Object> metadata = json(response.body(), "discovery document");
        String issuer = (String) metadata.get("issuer");
        if (issuer == null || !withoutSlash(issuer).equals(withoutSlash(settings.issuerUri()))) {
            throw new SignOnException("the discovery document names issuer " + issuer + ", not the configured "
                    + settings.issuerUri());
        }
        try {
            JWKSource<SecurityContext> keys = JWKSourceBuilder.create(URI.create(required(metadata, "jwks_uri"))
                            .toURL(), new DefaultResourceRetriever((int) TIMEOUT.toMillis(), (int) TIMEOUT.toMillis(),
                            512 * 1024)).retrying(true).build();
            Set<JWSAlgorithm> algorithms = new HashSet<>(JWSAlgorithm.Family.RSA);
            algorithms.addAll(JWSAlgorithm.Family.EC);
            DefaultJWTProcessor<SecurityContext> idTokens = new DefaultJWTProcessor<>();
            idTokens.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, keys));
            idTokens.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(settings.clientId(),
                    new JWTClaimsSet.Builder().issuer(issuer).build(), Set.of("sub", "iat", "exp", "nonce")));
            return new Endpoints(issuer, URI.create(required(metadata, "authorization_endpoint")),
                    URI.create(required(metadata, "token_endpoint")), idTokens);
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new SignOnException("the discovery document has an unusable URL: " + e.getMessage());
        }
    }

    /** Where the visitor's browser is sent to sign in. */
    URI authorizationRequest(Endpoints endpoints, String redirectUri, LoginState login) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("response_type", "code");
        query.put("client_id", settings.clientId());
        query.put("redirect_uri", redirectUri);
        query.put("scope", String.join(" ", settings.scopes()));
        query.put("state", login.state());
        query.put("nonce", login.nonce());
        query.put("code_challenge", login.challenge());
        query.put("code_challenge_method", "S256");
        String base = endpoints.authorization().toString();
        return URI.create(base + (base.contains("?") ? "&" : "?") + form(query));
    }

    /** Trades the authorization code for tokens and returns who signed in, after checking the ID token. */
    CompletableFuture<Identity> exchange(String code, String redirectUri, LoginState login) {
        return endpoints().thenCompose(endpoints -> {
            Map<String, String> body = new LinkedHashMap<>();
            body.put("grant_type", "authorization_code");
            body.put("code", code);
            body.put("redirect_uri", redirectUri);
            body.put("code_verifier", login.verifier());
            HttpRequest.Builder request = HttpRequest.newBuilder(endpoints.token()).timeout(TIMEOUT)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("Accept", "application/json");
            if (settings.clientSecret().isEmpty()) {
                body.put("client_id", settings.clientId());
            } else {
                String pair = encode(settings.clientId()) + ":" + encode(settings.clientSecret());
                request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        pair.getBytes(StandardCharsets.UTF_8)));
            }
            return http.sendAsync(request.POST(HttpRequest.BodyPublishers.ofString(form(body))).build(),
                            HttpResponse.BodyHandlers.ofString())
                    .thenApplyAsync(response -> identityOf(endpoints, response, login), work);
        });
    }

    private Identity identityOf(Endpoints endpoints, HttpResponse<String> response, LoginState login) {
        Map<String, Object> tokens = json(response.body(), "token response");
        if (response.statusCode() != 200) {
            throw new SignOnException("the token endpoint refused the code: " + tokens.getOrDefault("error",
                    response.statusCode()) + (tokens.containsKey("error_description") ? " ("
                    + tokens.get("error_description") + ")" : ""));
        }
        Object idToken = tokens.get("id_token");
        if (!(idToken instanceof String token)) {
            throw new SignOnException("the token response has no id_token (is openid among the scopes?)");
        }
        JWTClaimsSet claims;
        try {
            claims = endpoints.idTokens().process(token, null);
        } catch (ParseException | BadJOSEException | JOSEException e) {
            throw new SignOnException("the ID token was refused: " + e.getMessage());
        }
        if (!login.nonce().equals(claims.getClaim("nonce"))) {
            throw new SignOnException("the ID token's nonce is not the one this sign-in sent");
        }
        List<String> audience = claims.getAudience();
        if (audience.size() > 1 && !settings.clientId().equals(claims.getClaim("azp"))) {
            throw new SignOnException("the ID token is meant for several parties and not authorized for us (azp)");
        }
        return new Identity(name, claims.getSubject(), string(claims.getClaim("email")),
                !Boolean.FALSE.equals(claims.getClaim("email_verified")), name(claims),
                GroupsClaim.of(claims.getClaim(settings.groupsClaim())));
    }

    private static String name(JWTClaimsSet claims) {
        String name = string(claims.getClaim("name"));
        return name != null ? name : string(claims.getClaim("preferred_username"));
    }


    private static String string(Object claim) {
        return claim instanceof String text ? text : null;
    }

    private static Map<String, Object> json(String body, String what) {
        try {
            return JSONObjectUtils.parse(body);
        } catch (ParseException e) {
            throw new SignOnException("the " + what + " is not a JSON object");
        }
    }

    private static String required(Map<String, Object> metadata, String field) {
        if (!(metadata.get(field) instanceof String value)) {
            throw new SignOnException("the discovery document has no " + field);
        }
        return value;
    }

    private static String form(Map<String, String> fields) {
        return fields.entrySet().stream().map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
                .collect(Collectors.joining("&"));
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static String withoutSlash(String uri) {
        return uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
    }
}
