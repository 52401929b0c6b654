package io.tunnelplane.control.event;

import java.time.Instant;

/**
 * What the engine reports when a session ends; becomes a {@link ConnectionEvent}.
 *
 * @param retransmits segments the server's kernel retransmitted while the path still answered probes, null when
 *                    the transport cannot tell
 */
public record SessionRecord(
        String clientName,
        String sessionId,
        Instant connectedAt,
        Instant disconnectedAt,
        String remoteAddress,
        String cause,
        String detail,
        long durationMs,
        long bytesIn,
        long bytesOut,
        Long lastRttMicros,
        String agentVersion,
        String previousCause,
        Integer reconnectAttempts,
        Long silenceMs,
        Long keepaliveTimeMs,
        Long keepaliveTimeoutMs,
        Long retransmits) {
}
