package io.tunnelplane.control.event;

import java.time.Instant;

/** What the engine reports when a session ends; becomes a {@link ConnectionEvent}. */
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
        Long keepaliveTimeoutMs) {
}
