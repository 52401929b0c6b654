package io.tunnelplane.control.console;

import io.tunnelplane.control.ControlPlaneProperties;
import io.tunnelplane.control.runtime.TunnelRuntime;
import io.tunnelplane.control.security.AdminTokens;
import org.springframework.beans.factory.ObjectProvider;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter;

/**
 * The console's sign-in: an admin or read-only API token, exchanged once for a session (HttpOnly, SameSite=Strict
 * cookie, CSRF token on every change, idle and absolute expiry). This chain covers the console's paths only; the
 * REST API and Actuator keep bearer tokens ({@code ApiAccessFilter}) and never accept the console's cookie.
 * Read-only tokens read every page and change nothing, as on the API. With {@code tunnel.api.console-sign-on},
 * operators may also sign in with an OpenID Connect provider, their role given by their groups.
 */
@Configuration
@EnableWebSecurity
public class ConsoleSecurity {
    static final String ADMIN = "ADMIN";
    static final String READER = "READER";

    @Bean
    SecurityFilterChain consoleChain(HttpSecurity http, ControlPlaneProperties properties,
            ObjectProvider<TunnelRuntime> runtime) throws Exception {
        if (properties.consoleSignOn().enabled()) {
            OperatorSignOn operators = new OperatorSignOn(properties.consoleSignOn(), runtime);
            http.oauth2Login(login -> login.loginPage("/console/sign-in")
                    .clientRegistrationRepository(operators.registrations())
                    .authorizationEndpoint(a -> a.baseUri(OperatorSignOn.AUTHORIZATION)
                            .authorizationRequestRepository(new ConsoleLoginRequests()))
                    .redirectionEndpoint(r -> r.baseUri(OperatorSignOn.CALLBACK))
                    .userInfoEndpoint(u -> u.oidcUserService(operators.operators()))
                    .failureUrl("/console/sign-in?denied").successHandler(OperatorSignOn::enterConsole));
        }
        http.securityMatcher("/", "/console", "/console/**")
                .authorizeHttpRequests(requests -> requests
                        .requestMatchers("/console/sign-in", "/console/assets/**", OperatorSignOn.AUTHORIZATION + "/*",
                                OperatorSignOn.CALLBACK).permitAll()
                        .requestMatchers(HttpMethod.GET, "/", "/console", "/console/**").hasAnyRole(ADMIN, READER)
                        .anyRequest().hasRole(ADMIN))
                .formLogin(form -> form.loginPage("/console/sign-in").loginProcessingUrl("/console/sign-in")
                        .passwordParameter("token").failureUrl("/console/sign-in?refused")
                        .defaultSuccessUrl("/console", false).permitAll())
                .logout(logout -> logout.logoutUrl("/console/sign-out")
                        .logoutSuccessUrl("/console/sign-in?out").deleteCookies("JSESSIONID"))
                .headers(headers -> headers
                        .contentSecurityPolicy(csp -> csp.policyDirectives("default-src 'self'; img-src 'self' data:;"
                                + " style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'"))
                        .referrerPolicy(referrer -> referrer.policy(
                                ReferrerPolicyHeaderWriter.ReferrerPolicy.SAME_ORIGIN)))
                .addFilterAfter(new ConsoleSessionLifetime(properties), AnonymousAuthenticationFilter.class);
        return http.build();
    }

    /** A token, checked like the API checks it; what the session remembers is its role, never the token. */
    @Bean
    AuthenticationProvider consoleTokens(AdminTokens tokens) {
        return new AuthenticationProvider() {
            @Override
            public Authentication authenticate(Authentication attempt) {
                Object presented = attempt.getCredentials();
                AdminTokens.Role role = presented == null ? null : tokens.role(presented.toString());
                if (role == null) {
                    throw new BadCredentialsException("token not accepted");
                }
                String name = role == AdminTokens.Role.ADMIN ? "admin" : "read-only";
                return UsernamePasswordAuthenticationToken.authenticated(name, null, List.of(
                        new SimpleGrantedAuthority("ROLE_" + (role == AdminTokens.Role.ADMIN ? ADMIN : READER))));
            }

            @Override
            public boolean supports(Class<?> type) {
                return UsernamePasswordAuthenticationToken.class.isAssignableFrom(type);
            }
        };
    }
}
