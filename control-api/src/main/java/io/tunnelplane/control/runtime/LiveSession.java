package io.tunnelplane.control.runtime;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * A client's live session as the engine sees it.
 *
 * @param listening proxy id to whether its public port is listening
 */
public record LiveSession(
        String sessionId,
        Instant connectedAt,
        String remoteAddress,
        Duration lastRtt,
        String agentVersion,
        Map<Long, Boolean> listening) {
}
