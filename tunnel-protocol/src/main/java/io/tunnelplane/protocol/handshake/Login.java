package io.tunnelplane.protocol.handshake;

/**
 * The agent's login: who it is, proof of the token bound to both nonces, and what it saw last time so the
 * server can record why the previous session ended from the agent's side.
 *
 * @param reconnectAttempts connection attempts this reconnect took (1 when the first dial succeeded)
 * @param previousCause     the agent's view of why its previous session ended ({@code none} on first start)
 * @param keepaliveTimeMillis    the keepalive probe interval the agent asks for, 0 for the server's default
 * @param keepaliveTimeoutMillis the keepalive timeout the agent asks for, 0 for the server's default
 * @param flags                  {@link #PROBE} and {@link #PROBE_IDLE}: a diagnostic login that starts no session;
 *                               {@link #CLUSTER_UPDATES}: the agent applies cluster changes pushed later
 * @param host                   what the agent runs on: operating system, JVM and host name, for fleet views
 * @param connectionId           which connection of the agent's set this is: kept across its reconnects, so a new
 *                               login replaces its own stale predecessor and never a healthy sibling
 * @param connections            how many connections the agent keeps to this server (its set's size per node)
 */
public record Login(
        int protocolVersion,
        String clientId,
        byte[] agentNonce,
        byte[] proof,
        String agentVersion,
        String previousCause,
        int reconnectAttempts,
        long keepaliveTimeMillis,
        long keepaliveTimeoutMillis,
        int flags,
        AgentHost host,
        String connectionId,
        int connections) implements HandshakeMessage {
    /** The largest connection set an agent may keep to one node. */
    public static final int MAX_CONNECTIONS = 8;

    /** Verify the credentials and answer, then close: no session, no proxies, nothing replaced. */
    public static final int PROBE = 1;
    /** Like {@link #PROBE}, then keep the connection open as a byte echo to measure the path's idle timeout. */
    public static final int PROBE_IDLE = 2;

    /**
     * The agent understands {@code ClusterNodes} on the control stream: the server tells it about nodes that join
     * after its login. An agent without it learns the cluster only from login answers.
     */
    public static final int CLUSTER_UPDATES = 4;

    public boolean isProbe() {
        return (flags & (PROBE | PROBE_IDLE)) != 0;
    }

    public boolean wantsClusterUpdates() {
        return (flags & CLUSTER_UPDATES) != 0;
    }
}
