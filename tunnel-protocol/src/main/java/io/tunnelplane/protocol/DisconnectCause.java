package io.tunnelplane.protocol;

import java.util.Locale;

/**
 * Why a session ended. One enum for both sides so that a cause recorded by the agent and one recorded by the
 * server mean the same thing; the wire and metric form is {@link #wireName()}.
 */
public enum DisconnectCause {
    /** Nothing at all was received for keepalive.timeout after a probe. */
    KEEPALIVE_TIMEOUT,
    /** The peer closed the connection in an orderly way (FIN) without saying why. */
    PEER_CLOSED,
    /** The connection was reset or failed with an I/O error. */
    PEER_RESET,
    /**
     * Data was pending but nothing drained, and (on epoll) the peer acknowledged nothing, for keepalive.timeout: the
     * path is not accepting our bytes.
     */
    WRITE_STALL,
    /** The peer announced it is going away without a more specific reason. */
    GO_AWAY,
    /** The server is shutting down. */
    SERVER_SHUTDOWN,
    /** An operator disconnected the client. */
    KICKED,
    /** The token was refused. */
    AUTH_FAILED,
    /** A newer session of the same client took over. */
    REPLACED,
    /** The peer sent bytes that do not follow the protocol. */
    PROTOCOL_ERROR,
    /** The agent process is stopping. */
    AGENT_SHUTDOWN,
    /** The TCP connect or handshake did not complete. */
    CONNECT_FAILED,
    /**
     * The TLS handshake failed: the server's key did not match the pin, its certificate is not trusted, or one
     * side does not speak TLS.
     */
    TLS_FAILED,
    /** The agent probed more often than the server's minimum keepalive interval allows. */
    TOO_MANY_PINGS,
    /** The client's token was rotated or the client was disabled or deleted. */
    CREDENTIALS_REVOKED,
    /** The agent moved this connection to a cluster node that had none of its connections. */
    REBALANCED,
    /**
     * Recorded by the server: the session ended just after the server itself did not run for a while (a GC pause,
     * CPU starvation, a VM freeze), so the agent gave up on the server, not on the path.
     */
    SERVER_STALLED,
    /**
     * The agent's host slept or the agent was frozen (laptop suspend, SIGSTOP): recorded by the agent when it runs
     * again, and by the server when the agent reports its pause at the next login.
     */
    AGENT_SUSPENDED,
    /** No session existed before (first connect). */
    NONE;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a wire name, ignoring {@code ;key=value} details after it; unknown names (from a newer peer) map to
     * {@link #PEER_CLOSED} rather than failing.
     */
    public static DisconnectCause fromWire(String name) {
        if (name == null || name.isEmpty()) {
            return NONE;
        }
        int details = name.indexOf(';');
        try {
            return valueOf((details < 0 ? name : name.substring(0, details)).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException unknown) {
            return PEER_CLOSED;
        }
    }
}
