package io.tunnelplane.server.support;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** Reads API responses in tests, and writes request bodies that need escaping. */
public final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    /** A JSON object of these fields, escaped as JSON needs (PEM text with its newlines, say). */
    public static String object(java.util.Map<String, ?> fields) {
        return MAPPER.writeValueAsString(fields);
    }

    public static JsonNode parse(String body) {
        return MAPPER.readTree(body);
    }

    /** The response's JSON body, after checking its status (the body is the failure message otherwise). */
    public static JsonNode body(int expectedStatus, java.net.http.HttpResponse<String> response) {
        org.assertj.core.api.Assertions.assertThat(response.statusCode()).as(response.body())
                .isEqualTo(expectedStatus);
        return parse(response.body());
    }
}
