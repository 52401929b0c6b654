package io.tunnelplane.control.runtime;

import java.util.Map;

/**
 * Outcome of {@link TunnelRuntime#apply}.
 *
 * @param online   whether the client had a live session to apply to
 * @param failures proxy id to why it could not be served (empty when everything applied)
 */
public record ApplyResult(boolean online, Map<Long, String> failures) {
    public static final ApplyResult OFFLINE = new ApplyResult(false, Map.of());

    public boolean ok() {
        return failures.isEmpty();
    }
}
