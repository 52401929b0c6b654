package io.tunnelplane.control.console;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Labels as an operator types them in one field, {@code env=prod, site=berlin}. The keys and values are checked by
 * the same bean validation as the API's; this only splits the text and names an entry that is not {@code key=value}.
 */
final class LabelsText {
    private LabelsText() {
    }

    /** The labels typed, or null after recording under {@code labels} the first entry that is not key=value. */
    static Map<String, String> parse(String typed, Map<String, String> errors) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (typed == null) {
            return labels;
        }
        for (String entry : typed.split("[,\\n]")) {
            String trimmed = entry.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            int equals = trimmed.indexOf('=');
            if (equals <= 0) {
                errors.put("labels", "'" + trimmed + "' is not key=value");
                return null;
            }
            labels.put(trimmed.substring(0, equals).strip(), trimmed.substring(equals + 1).strip());
        }
        return labels;
    }

    /** The labels as the field shows them, sorted by key. */
    static String format(Map<String, String> labels) {
        return new TreeMap<>(labels).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(", "));
    }
}
