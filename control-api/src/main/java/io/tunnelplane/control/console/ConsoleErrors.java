package io.tunnelplane.control.console;

import io.tunnelplane.control.web.ApiException;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;

/**
 * A refusal on a console page (a client deleted meanwhile, a conflict) is a page with the same message the API
 * would give, not the API's problem document. Ahead of the API's own advice, for the console only.
 */
@ControllerAdvice(basePackageClasses = ConsoleErrors.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class ConsoleErrors {
    @ExceptionHandler(ApiException.class)
    String refused(ApiException refused, HttpServletResponse response, Model model) {
        response.setStatus(refused.status().value());
        model.addAttribute("status", refused.status().value());
        model.addAttribute("message", refused.getMessage());
        return "console/error";
    }
}
