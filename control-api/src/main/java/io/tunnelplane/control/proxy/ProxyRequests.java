package io.tunnelplane.control.proxy;

import io.tunnelplane.control.client.ClientRequests;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;

/** Request bodies of the proxy endpoints. */
public final class ProxyRequests {
    static final String HOST_RULE = "[A-Za-z0-9.:\\[\\]-]{1,253}";

    private ProxyRequests() {
    }

    public record Create(
            @NotBlank @Pattern(regexp = ClientRequests.NAME_RULE, message = ClientRequests.NAME_MESSAGE) String name,
            @NotNull @Pattern(regexp = "tcp", message = "must be tcp (udp and http come later)") String type,
            @NotBlank @Size(max = 253) @Pattern(regexp = HOST_RULE, message = "must be a host name or IP address")
            String localHost,
            @NotNull @Min(1) @Max(65535) Integer localPort,
            @NotNull @Min(1) @Max(65535) Integer remotePort,
            Boolean enabled,
            @Positive Long bandwidthLimitBytes) {
    }

    /** PATCH: absent fields stay as they are. */
    public record Update(
            Boolean enabled,
            @Size(max = 253) @Pattern(regexp = HOST_RULE, message = "must be a host name or IP address")
            String localHost,
            @Min(1) @Max(65535) Integer localPort,
            @Min(1) @Max(65535) Integer remotePort) {
    }
}
