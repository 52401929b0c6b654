package io.tunnelplane.control.client;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.util.Map;

/** Request bodies of the client endpoints. */
public final class ClientRequests {
    public static final String NAME_RULE = "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?";
    public static final String NAME_MESSAGE =
            "must be a DNS label: lowercase letters, digits and inner hyphens, 1-63 characters";

    private ClientRequests() {
    }

    public record Create(
            @NotBlank @Pattern(regexp = NAME_RULE, message = NAME_MESSAGE) String name,
            @Size(max = 500) String description,
            @Size(max = 32) Map<@Pattern(regexp = NAME_RULE, message = NAME_MESSAGE) String,
                    @Size(max = 255) String> labels,
            @Positive Long bandwidthLimit,
            @Positive Long monthlyQuota) {
        public Create(String name, String description, Map<String, String> labels) {
            this(name, description, labels, null, null);
        }
    }

    /** PATCH: absent fields stay as they are; {@code labels}, when given, replaces the whole set. */
    public record Update(Boolean enabled, @Size(max = 500) String description,
            @Size(max = 32) Map<@Pattern(regexp = NAME_RULE, message = NAME_MESSAGE) String,
                    @Size(max = 255) String> labels,
            @PositiveOrZero Long bandwidthLimit,
            @PositiveOrZero Long monthlyQuota) {
        public Update(Boolean enabled, String description) {
            this(enabled, description, null, null, null);
        }

        public Update(Boolean enabled, String description, Map<String, String> labels) {
            this(enabled, description, labels, null, null);
        }
    }
}
