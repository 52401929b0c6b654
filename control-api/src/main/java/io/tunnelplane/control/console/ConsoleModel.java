package io.tunnelplane.control.console;

import io.tunnelplane.control.runtime.TunnelRuntime;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/** What every console page is given: who is signed in, how to write times, the host the page was reached by. */
@ControllerAdvice(basePackageClasses = ConsoleModel.class)
class ConsoleModel {
    private static final Formats FORMATS = new Formats();

    private final TunnelRuntime runtime;

    ConsoleModel(TunnelRuntime runtime) {
        this.runtime = runtime;
    }

    /** The identity providers a proxy's sign-on may name (tunnel.server.sso.providers), sorted. */
    @ModelAttribute("signOnProviders")
    List<String> signOnProviders() {
        return runtime.signOnProviders().stream().sorted().toList();
    }

    /** Whether the signed-in token may change things; read-only sessions get no buttons. */
    @ModelAttribute("admin")
    boolean admin(Authentication authentication) {
        return authentication != null && authentication.getAuthorities().stream()
                .anyMatch(a -> a.getAuthority().equals("ROLE_" + ConsoleSecurity.ADMIN));
    }

    @ModelAttribute("fmt")
    Formats formats() {
        return FORMATS;
    }

    /** The host name the operator reached the console by: a tcp or udp proxy's public address uses it too. */
    @ModelAttribute("publicHost")
    String publicHost(HttpServletRequest request) {
        return request.getServerName();
    }
}
