package io.tunnelplane.control.console;

import io.tunnelplane.control.ControlPlaneProperties;
import io.tunnelplane.control.runtime.OidcClient;
import io.tunnelplane.control.sso.GroupsClaim;
import io.tunnelplane.control.runtime.TunnelRuntime;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserRequest;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserService;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.registration.ClientRegistrations;
import org.springframework.security.oauth2.client.userinfo.OAuth2UserService;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.oidc.user.DefaultOidcUser;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;

/**
 * Operators' sign-in to the console with one of the server's OpenID Connect providers
 * ({@code tunnel.api.console-sign-on}): the provider's registration, discovered from its issuer when first used
 * (so a provider that is down does not stop the server), and the role each operator gets from its groups.
 */
final class OperatorSignOn {
    static final String AUTHORIZATION = "/console/sso/authorization";
    static final String CALLBACK = "/console/sso/callback/*";
    private static final Logger log = LoggerFactory.getLogger("io.tunnelplane.sso");

    private final ControlPlaneProperties.ConsoleSignOn settings;
    private final ObjectProvider<TunnelRuntime> runtime;
    private volatile ClientRegistration registration;

    OperatorSignOn(ControlPlaneProperties.ConsoleSignOn settings, ObjectProvider<TunnelRuntime> runtime) {
        this.settings = settings;
        this.runtime = runtime;
    }

    private OidcClient client() {
        return runtime.getObject().signOnProvider(settings.provider()).orElseThrow(() -> new IllegalStateException(
                "tunnel.api.console-sign-on.provider names " + settings.provider() + ", which is not one of "
                        + "tunnel.server.sso.providers"));
    }

    /** The one registration: the configured provider, discovered on first use and kept. */
    ClientRegistrationRepository registrations() {
        return id -> {
            if (!settings.provider().equals(id)) {
                return null;
            }
            ClientRegistration known = registration;
            if (known == null) {
                OidcClient client = client();
                known = ClientRegistrations.fromIssuerLocation(client.issuerUri()).registrationId(client.name())
                        .clientId(client.clientId()).clientSecret(client.clientSecret()).scope(client.scopes())
                        .redirectUri("{baseUrl}/console/sso/callback/{registrationId}").build();
                registration = known;
            }
            return known;
        };
    }

    /** Loads the operator as Spring does, then grants the console role its groups give, or refuses it. */
    OAuth2UserService<OidcUserRequest, OidcUser> operators() {
        OidcUserService delegate = new OidcUserService();
        return request -> {
            OidcUser user = delegate.loadUser(request);
            List<String> groups = GroupsClaim.of(user.getClaims().get(client().groupsClaim()));
            String role = groups.stream().anyMatch(settings.adminGroups()::contains) ? ConsoleSecurity.ADMIN
                    : groups.stream().anyMatch(settings.readOnlyGroups()::contains) ? ConsoleSecurity.READER : null;
            String who = user.getEmail() != null ? user.getEmail() : user.getSubject();
            if (role == null) {
                log.warn("console sign-in refused user={}: in none of the console's groups", who);
                throw new OAuth2AuthenticationException(new OAuth2Error("not_an_operator",
                        who + " is in none of tunnel.api.console-sign-on's groups", null));
            }
            log.info("console sign-in user={} role={}", who, role);
            return new DefaultOidcUser(List.of(new SimpleGrantedAuthority("ROLE_" + role)), user.getIdToken(),
                    user.getUserInfo());
        };
    }

    /**
     * After the provider's redirect the browser is still on a cross-site navigation, on which it withholds the
     * console's SameSite=Strict session cookie: a page of our own moves it to the console as a same-site one.
     */
    static void enterConsole(HttpServletRequest request, HttpServletResponse response, Authentication signedIn)
            throws IOException {
        String console = request.getContextPath() + "/console";
        response.setContentType("text/html;charset=UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().write("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta http-equiv=\"refresh\" content=\"0;url=" + console + "\"><title>Signed in</title></head>"
                + "<body><p>Signed in. <a href=\"" + console + "\">Open the console</a></p></body></html>");
    }

}
