package io.tunnelplane.protocol.mux;

import io.tunnelplane.protocol.DisconnectCause;
import java.time.Duration;

/**
 * The debug data of our GOAWAY frames: the cause's wire name, optionally followed by how widely the peer should
 * spread its reconnect ({@code server_shutdown;reconnect-within=12000}). A server going away with 10 000 agents
 * asks them to come back over several seconds instead of within the same second.
 */
public record GoAwayReason(DisconnectCause cause, Duration reconnectWithin) {
    private static final String WITHIN = ";reconnect-within=";

    public static GoAwayReason of(DisconnectCause cause) {
        return new GoAwayReason(cause, Duration.ZERO);
    }

    public String encode() {
        return reconnectWithin.isZero() ? cause.wireName() : cause.wireName() + WITHIN + reconnectWithin.toMillis();
    }

    /** Parses debug data; anything unexpected degrades to the plain cause, never to an error. */
    public static GoAwayReason parse(String debugData) {
        if (debugData == null || debugData.isEmpty()) {
            return of(DisconnectCause.GO_AWAY);
        }
        int at = debugData.indexOf(WITHIN);
        if (at < 0) {
            return of(DisconnectCause.fromWire(debugData));
        }
        Duration within = Duration.ZERO;
        try {
            within = Duration.ofMillis(Math.max(0, Math.min(600_000, Long.parseLong(
                    debugData.substring(at + WITHIN.length()).strip()))));
        } catch (NumberFormatException ignored) {
            // keep the cause, drop the hint
        }
        return new GoAwayReason(DisconnectCause.fromWire(debugData.substring(0, at)), within);
    }
}
