package io.tunnelplane.control.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;

/**
 * Every API error as RFC 7807 {@code application/problem+json}: a title, a detail that names the field and the
 * rule, and an {@code errors} list with one entry per field for clients that want to highlight them.
 */
@RestControllerAdvice(basePackages = "io.tunnelplane.control")
public class ProblemResponses extends ResponseEntityExceptionHandler {

    @ExceptionHandler(ApiException.class)
    ResponseEntity<ProblemDetail> api(ApiException e) {
        String detail = e.field() == null ? e.getMessage() : e.field() + ": " + e.getMessage();
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(e.status(), detail);
        if (e.field() != null) {
            problem.setProperty("errors", List.of(Map.of("field", e.field(), "message", e.getMessage())));
        }
        return ResponseEntity.status(e.status()).body(problem);
    }

    @ExceptionHandler(OptimisticLockingFailureException.class)
    ResponseEntity<ProblemDetail> concurrentEdit(OptimisticLockingFailureException e) {
        return ResponseEntity.status(HttpStatus.CONFLICT).body(ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT,
                "the resource was changed concurrently; read it again and retry"));
    }

    @ExceptionHandler(DataIntegrityViolationException.class)
    ResponseEntity<ProblemDetail> integrity(DataIntegrityViolationException e) {
        // The service checks uniqueness first; this covers the race where two requests pass the check together.
        return ResponseEntity.status(HttpStatus.CONFLICT).body(ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT,
                "a concurrent request created a conflicting name or port; retry"));
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        List<Map<String, String>> errors = new ArrayList<>();
        StringBuilder detail = new StringBuilder();
        for (FieldError error : ex.getBindingResult().getFieldErrors()) {
            String message = String.valueOf(error.getDefaultMessage());
            errors.add(Map.of("field", error.getField(), "message", message));
            detail.append(detail.length() == 0 ? "" : "; ").append(error.getField()).append(": ").append(message);
        }
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail.toString());
        problem.setTitle("Invalid request body");
        problem.setProperty("errors", errors);
        return ResponseEntity.badRequest().body(problem);
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        String field = fieldOf(ex);
        String detail = field == null
                ? "the body is not valid JSON for this request"
                : field + ": " + reason(ex);
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
        problem.setTitle("Unreadable request body");
        if (field != null) {
            problem.setProperty("errors", List.of(Map.of("field", field, "message", reason(ex))));
        }
        return ResponseEntity.badRequest().body(problem);
    }

    private static String fieldOf(HttpMessageNotReadableException ex) {
        if (ex.getCause() instanceof JacksonException jackson && !jackson.getPath().isEmpty()) {
            StringBuilder path = new StringBuilder();
            for (JacksonException.Reference ref : jackson.getPath()) {
                if (ref.getPropertyName() != null) {
                    path.append(path.length() == 0 ? "" : ".").append(ref.getPropertyName());
                } else if (ref.getIndex() >= 0) {
                    path.append('[').append(ref.getIndex()).append(']');
                }
            }
            return path.length() == 0 ? null : path.toString();
        }
        return null;
    }

    private static String reason(HttpMessageNotReadableException ex) {
        String name = ex.getCause() == null ? "" : ex.getCause().getClass().getSimpleName();
        if (name.startsWith("UnrecognizedProperty")) {
            return "unknown field";
        }
        if (name.startsWith("InvalidFormat") || name.startsWith("MismatchedInput")) {
            return "wrong type";
        }
        return "cannot be read";
    }

}
