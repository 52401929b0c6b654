package io.tunnelplane.control.console;

import io.tunnelplane.control.web.ApiException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A form's refusals by field, from the same bean validation and the same service rules as the API, so a page shows
 * each message next to the field it names.
 */
final class FormErrors {
    private FormErrors() {
    }

    /** The request's bean-validation violations, the first per field (a list's entries count as the list's). */
    static <T> Map<String, String> violations(Validator validator, T request) {
        Map<String, String> errors = new LinkedHashMap<>();
        for (ConstraintViolation<T> violation : validator.validate(request)) {
            errors.putIfAbsent(violation.getPropertyPath().iterator().next().getName(), violation.getMessage());
        }
        return errors;
    }

    /** A port typed into a form, null when blank or not a number (then {@link #port} has said so). */
    static Integer number(String value) {
        try {
            return blank(value) ? null : Integer.valueOf(value.strip());
        } catch (NumberFormatException notANumber) {
            return null;
        }
    }

    /** A byte rate typed into a form, null when blank or not a number (then {@link #rate} has said so). */
    static Long bytesPerSecond(String value) {
        try {
            return blank(value) ? null : Long.valueOf(value.strip().replace("_", ""));
        } catch (NumberFormatException notANumber) {
            return null;
        }
    }

    /** Records, under {@code field}, that {@code value} is typed but is not a byte rate. */
    static void rate(Map<String, String> errors, String field, String value) {
        if (!blank(value) && (bytesPerSecond(value) == null || bytesPerSecond(value) < 0)) {
            errors.put(field, "must be bytes per second, e.g. 10000000 for 10 MB/s");
        }
    }

    /** Records, under {@code field}, that {@code value} is typed but is not a number. */
    static void port(Map<String, String> errors, String field, String value) {
        if (!blank(value) && number(value) == null) {
            errors.put(field, "must be a port number, 1-65535");
        }
    }

    /** Comma- or space-separated entries as typed; empty when there are none. */
    static List<String> entries(String typed) {
        return blank(typed) ? List.of()
                : Arrays.stream(typed.split("[,\\s]+")).filter(entry -> !entry.isEmpty()).toList();
    }

    static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    static String blankToNull(String value) {
        return blank(value) ? null : value.strip();
    }

    /**
     * The form field a service refusal names ({@code denyFrom} for {@code denyFrom[1]}: the message says which
     * entry), or {@code fallback} when it names none.
     */
    static String fieldOr(ApiException refused, String fallback) {
        if (refused.field() == null) {
            return fallback;
        }
        int entry = refused.field().indexOf('[');
        return entry < 0 ? refused.field() : refused.field().substring(0, entry);
    }
}
