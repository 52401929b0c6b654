package io.tunnelplane.control.security;

import io.tunnelplane.control.ControlPlaneProperties;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.util.AntPathMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Guards the API and Actuator: a request needs {@code Authorization: Bearer <token>} unless its path is in
 * {@code tunnel.api.public-paths} (health and Prometheus by default). Admin tokens may do everything; read-only
 * tokens ({@code tunnel.api.read-only-tokens}) may only read, and not the effective configuration. Bodies above {@code tunnel.api.max-body-size}
 * are refused before they are read. Refusals are problem documents that say what is missing, never why a token
 * was wrong.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
public class ApiAccessFilter extends OncePerRequestFilter {
    private final AdminTokens tokens;
    private final ControlPlaneProperties properties;
    private final AntPathMatcher matcher = new AntPathMatcher();

    public ApiAccessFilter(AdminTokens tokens, ControlPlaneProperties properties) {
        this.tokens = tokens;
        this.properties = properties;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        boolean guarded = path.startsWith("/api/") || path.startsWith("/actuator");
        if (guarded && properties.publicPaths().stream().noneMatch(p -> matcher.match(p, path))) {
            String header = request.getHeader("Authorization");
            String presented = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                    ? header.substring(7).strip() : null;
            AdminTokens.Role role = tokens.role(presented);
            if (role == null) {
                response.setHeader("WWW-Authenticate", "Bearer");
                problem(response, 401, "Unauthorized", "this endpoint requires a bearer token");
                return;
            }
            if (role == AdminTokens.Role.READ_ONLY && !readOnlyMayAccess(request.getMethod(), path)) {
                problem(response, 403, "Forbidden", "a read-only token cannot " + request.getMethod() + " " + path
                        + "; use an admin token");
                return;
            }
        }
        if (request.getContentLengthLong() > properties.maxBodySize()) {
            problem(response, 413, "Payload Too Large", "request bodies are limited to " + properties.maxBodySize()
                    + " bytes (tunnel.api.max-body-size)");
            return;
        }
        chain.doFilter(request, response);
    }

    /** Read-only tokens read the API and metrics; the effective configuration stays with admins. */
    private static boolean readOnlyMayAccess(String method, String path) {
        boolean read = "GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method);
        return read && !path.startsWith("/actuator/configprops");
    }

    private static void problem(HttpServletResponse response, int status, String title, String detail)
            throws IOException {
        response.setStatus(status);
        response.setContentType("application/problem+json");
        response.getOutputStream().write(("{\"type\":\"about:blank\",\"title\":\"" + title + "\",\"status\":" + status
                + ",\"detail\":\"" + detail + "\"}").getBytes(StandardCharsets.UTF_8));
    }
}
