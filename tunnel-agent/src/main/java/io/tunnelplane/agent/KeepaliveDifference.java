package io.tunnelplane.agent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the server enforces against what this agent asked for, in one sentence when they differ: a keepalive
 * setting that silently did not take effect is how frp users ended up with timeouts nobody could explain.
 */
final class KeepaliveDifference {
    private KeepaliveDifference() {
    }

    /** Empty when nothing was asked for or the server agreed to it. */
    static Optional<String> describe(Duration askedTime, Duration askedTimeout, Duration agreedTime,
            Duration agreedTimeout) {
        List<String> parts = new ArrayList<>();
        if (askedTime != null && !askedTime.equals(agreedTime)) {
            parts.add("keepalive-time " + askedTime.toMillis() + "ms asked, " + agreedTime.toMillis()
                    + "ms enforced (" + (agreedTime.compareTo(askedTime) > 0
                            ? "below the server's tunnel.server.keepalive.min-time"
                            : "the server's rule") + ")");
        }
        if (askedTimeout != null && !askedTimeout.equals(agreedTimeout)) {
            parts.add("keepalive-timeout " + askedTimeout.toMillis() + "ms asked, " + agreedTimeout.toMillis()
                    + "ms enforced (" + (agreedTimeout.compareTo(askedTimeout) > 0
                            ? "below the protocol's minimum" : "the server's rule") + ")");
        }
        return parts.isEmpty() ? Optional.empty()
                : Optional.of("the server changed the keepalive this agent asked for: " + String.join("; ", parts));
    }
}
