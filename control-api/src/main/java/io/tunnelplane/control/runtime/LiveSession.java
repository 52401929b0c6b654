package io.tunnelplane.control.runtime;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A client's live connection set on this node as the engine sees it. The single-valued fields (session id,
 * remote address, agent facts) describe its newest session; {@code connections} lists every one.
 *
 * @param listening   proxy id to whether its public port is listening
 * @param unreachable proxy id to why the agent could not reach its local service (absent when it could)
 * @param keepalive   what the agent asked for and what was agreed at login
 * @param host        the agent host's resources as last reported, null before the first report
 * @param state       {@code healthy} (every connection the agent keeps is up), {@code degraded} (some are)
 * @param wantedConnections how many connections the agent keeps (its {@code --connections})
 * @param connections the sessions that are up, oldest first
 */
public record LiveSession(
        String sessionId,
        Instant connectedAt,
        String remoteAddress,
        Duration lastRtt,
        String agentVersion,
        String agentOs,
        String agentJvm,
        String agentHostname,
        Map<Long, Boolean> listening,
        Map<Long, String> unreachable,
        Keepalive keepalive,
        Host host,
        String state,
        int wantedConnections,
        List<Connection> connections) {

    public LiveSession {
        connections = List.copyOf(connections);
    }

    /**
     * One session of the set.
     *
     * @param node          the server node that holds it
     * @param lastRtt       last heartbeat round-trip time, null before the first probe was answered
     * @param activeStreams visitor connections it carries now; -1 for a session held by another node of the cluster
     *                      (its RTT is null too: both stay with the node that holds it)
     * @param probeWaiting  how long the probe in flight has waited for its answer (zero when none is), null when
     *                      another node holds the session: on a saturated path it shows the queueing delay
     */
    public record Connection(String sessionId, String node, Instant since, String remoteAddress, Duration lastRtt,
            int activeStreams, Duration probeWaiting) {
    }

    /** Keepalive settings of a session in milliseconds; an asked value of 0 means "the server's default". */
    public record Keepalive(long askedTimeMs, long askedTimeoutMs, long agreedTimeMs, long agreedTimeoutMs) {
    }

    /**
     * An agent host's resources at {@code reportedAt}; -1 where the agent's platform does not tell.
     *
     * @param openFiles file descriptors the agent process holds, against {@code maxFiles}, its limit
     */
    public record Host(long openFiles, long maxFiles, long memoryAvailableBytes, long memoryTotalBytes,
            Instant reportedAt) {
    }
}
