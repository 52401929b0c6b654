package io.tunnelplane.agent;

import io.tunnelplane.protocol.DisconnectCause;
import java.time.Duration;

/**
 * How one connection attempt or session ended, from the agent's side.
 *
 * @param established whether login succeeded (a session existed)
 * @param exitCode    non-null when the agent must stop instead of reconnecting
 * @param detail      human explanation for the log line
 * @param reconnectWithin how widely the server asked us to spread the reconnect (zero: no hint)
 */
record SessionOutcome(DisconnectCause cause, boolean established, Integer exitCode, String detail,
        Duration reconnectWithin) {

    SessionOutcome(DisconnectCause cause, boolean established, Integer exitCode, String detail) {
        this(cause, established, exitCode, detail, Duration.ZERO);
    }

    static SessionOutcome fatal(DisconnectCause cause, int exitCode, String detail) {
        return new SessionOutcome(cause, false, exitCode, detail);
    }

    /** The server asked us to come back (restart, GOAWAY): reconnect promptly rather than back off. */
    boolean serverAskedToReconnect() {
        return cause == DisconnectCause.SERVER_SHUTDOWN || cause == DisconnectCause.GO_AWAY;
    }
}
