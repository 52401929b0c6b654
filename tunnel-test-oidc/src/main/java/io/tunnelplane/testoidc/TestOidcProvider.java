package io.tunnelplane.testoidc;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.oidc.OidcScopes;
import org.springframework.security.oauth2.core.oidc.endpoint.OidcParameterNames;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.settings.TokenSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;

/**
 * A real OpenID Connect provider for the single sign-on tests: Spring Authorization Server with a login form, one
 * confidential client that must use PKCE ({@code --test-oidc.redirect-uri} is its one registered redirect), and
 * users whose ID tokens carry an {@code email} and {@code groups}: alice@example.org (ops), bob@example.org (none)
 * mallory@elsewhere.test (ops) and dave@example.org (auditors). Every password is {@code password}.
 */
@SpringBootApplication
public class TestOidcProvider {
    static final Map<String, Person> PEOPLE = Map.of(
            "alice", new Person("alice@example.org", List.of("ops")),
            "bob", new Person("bob@example.org", List.of()),
            "mallory", new Person("mallory@elsewhere.test", List.of("ops")),
            "dave", new Person("dave@example.org", List.of("auditors")));

    record Person(String email, List<String> groups) {
    }

    public static void main(String[] args) {
        SpringApplication.run(TestOidcProvider.class, args);
    }

    @Bean
    RegisteredClientRepository clients(@Value("${test-oidc.redirect-uri}") List<String> redirectUris) {
        RegisteredClient.Builder client = RegisteredClient.withId(UUID.randomUUID().toString())
                .clientId("tunnel")
                .clientSecret("{noop}tunnel-secret")
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_POST)
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .scope(OidcScopes.OPENID)
                .scope(OidcScopes.EMAIL)
                .scope(OidcScopes.PROFILE)
                .clientSettings(ClientSettings.builder().requireProofKey(true).requireAuthorizationConsent(false)
                        .build())
                .tokenSettings(TokenSettings.builder().accessTokenTimeToLive(Duration.ofMinutes(5)).build());
        redirectUris.forEach(client::redirectUri);
        return new InMemoryRegisteredClientRepository(client.build());
    }

    @Bean
    UserDetailsService users() {
        return new InMemoryUserDetailsManager(PEOPLE.keySet().stream()
                .map(name -> User.withUsername(name).password("{noop}password").roles("USER").build()).toList());
    }

    @Bean
    OAuth2TokenCustomizer<JwtEncodingContext> identityClaims() {
        return context -> {
            if (OidcParameterNames.ID_TOKEN.equals(context.getTokenType().getValue())) {
                Person person = PEOPLE.get(context.getPrincipal().getName());
                context.getClaims().claim("email", person.email()).claim("email_verified", true)
                        .claim("name", context.getPrincipal().getName()).claim("groups", person.groups());
            }
        };
    }
}
