package io.tunnelplane.agent;

import io.tunnelplane.protocol.DisconnectCause;
import io.tunnelplane.protocol.handshake.PauseReport;
import java.time.Duration;

/**
 * How one connection attempt or session ended, from the agent's side.
 *
 * @param established whether login succeeded (a session existed)
 * @param exitCode    non-null when the agent must stop instead of reconnecting
 * @param detail      human explanation for the log line
 * @param reconnectWithin how widely the server asked us to spread the reconnect (zero: no hint)
 * @param ownPause    our own pause that ended the session, to report at the next login; null when none did
 */
record SessionOutcome(DisconnectCause cause, boolean established, Integer exitCode, String detail,
        Duration reconnectWithin, PauseReport ownPause) {

    SessionOutcome(DisconnectCause cause, boolean established, Integer exitCode, String detail) {
        this(cause, established, exitCode, detail, Duration.ZERO, null);
    }

    SessionOutcome(DisconnectCause cause, boolean established, Integer exitCode, String detail,
            Duration reconnectWithin) {
        this(cause, established, exitCode, detail, reconnectWithin, null);
    }

    static SessionOutcome fatal(DisconnectCause cause, int exitCode, String detail) {
        return new SessionOutcome(cause, false, exitCode, detail);
    }

    /** The server asked us to come back (restart, GOAWAY): reconnect promptly rather than back off. */
    boolean serverAskedToReconnect() {
        return cause == DisconnectCause.SERVER_SHUTDOWN || cause == DisconnectCause.GO_AWAY;
    }
}
