package io.tunnelplane.control.console;

import io.tunnelplane.control.ControlPlaneProperties;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Ends a console session {@code tunnel.api.console-session-lifetime} after sign-in, however active it is: the live
 * parts of a page poll every two seconds, so the servlet container's idle timeout alone would never end a session
 * left open on a screen. (Sign-in starts a new session, so its creation time is the sign-in time.) Not a bean: it
 * runs inside the console's security chain only, never as a filter of every request.
 */
class ConsoleSessionLifetime extends OncePerRequestFilter {
    private final ControlPlaneProperties properties;

    ConsoleSessionLifetime(ControlPlaneProperties properties) {
        this.properties = properties;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        HttpSession session = request.getSession(false);
        if (session != null && System.currentTimeMillis() - session.getCreationTime()
                > properties.consoleSessionLifetime().toMillis()) {
            session.invalidate();
            SecurityContextHolder.clearContext();
            response.sendRedirect(request.getContextPath() + "/console/sign-in?expired");
            return;
        }
        chain.doFilter(request, response);
    }
}
