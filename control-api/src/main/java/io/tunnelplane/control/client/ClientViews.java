package io.tunnelplane.control.client;

import io.tunnelplane.control.proxy.ProxyView;
import io.tunnelplane.control.runtime.LiveSession;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Response bodies of the client endpoints. The token appears only in {@link Created}. */
public final class ClientViews {
    private ClientViews() {
    }

    public record Summary(long id, String name, String description, boolean enabled, Map<String, String> labels,
            Instant createdAt, Instant updatedAt, Instant lastSeenAt, boolean online) {
        static Summary of(Client c, boolean online) {
            return new Summary(c.getId(), c.getName(), c.getDescription(), c.isEnabled(), c.getLabels(),
                    c.getCreatedAt(), c.getUpdatedAt(), c.getLastSeenAt(), online);
        }
    }

    /** One client with its live state and proxies. */
    /**
     * @param bandwidthLimit   bytes per second each way for all its proxies together, null for none
     * @param monthlyQuota     bytes (both ways) its proxies may move per calendar month (UTC), null for none
     * @param trafficThisMonth bytes moved so far this month, on every node (as of their last report, within 30 s)
     * @param quotaExceeded    new visitors are refused until the month ends
     */
    public record Detail(long id, String name, String description, boolean enabled, Map<String, String> labels,
            Long bandwidthLimit, Long monthlyQuota, long trafficThisMonth, boolean quotaExceeded, Instant createdAt,
            Instant updatedAt, Instant lastSeenAt, Live live, List<ProxyView> proxies) {
    }

    /**
     * Live state; {@code online=false}, {@code state=offline} and nulls when the client has no session. The
     * single-valued session fields describe the newest session of the set.
     *
     * @param lastRttMicros last heartbeat round-trip time, null before the first probe was answered
     */
    public record Live(boolean online, String state, Integer wantedConnections, List<Connection> connections,
            String sessionId, Instant sessionStart, Long uptimeSeconds,
            String remoteAddress, Long lastRttMicros, String agentVersion, String agentOs, String agentJvm,
            String agentHostname, LiveSession.Keepalive keepalive, LiveSession.Host host) {
        static Live of(LiveSession session) {
            if (session == null) {
                return new Live(false, "offline", null, List.of(), null, null, null, null, null, null, null, null,
                        null, null, null);
            }
            return new Live(true, session.state(), session.wantedConnections(),
                    session.connections().stream().map(Connection::of).toList(), session.sessionId(),
                    session.connectedAt(), Duration.between(session.connectedAt(), Instant.now()).toSeconds(),
                    session.remoteAddress(), micros(session.lastRtt()),
                    session.agentVersion(), session.agentOs(), session.agentJvm(), session.agentHostname(),
                    session.keepalive(), session.host());
        }
    }

    /**
     * One session of the client's connection set.
     *
     * @param lastRttMicros last heartbeat round-trip time, null before the first probe was answered
     * @param activeStreams visitor connections it carries now; -1 when another node of the cluster holds it
     * @param probeWaitingMicros how long the probe in flight has waited, 0 when none is; null on another node
     */
    public record Connection(String sessionId, String node, Instant since, String remoteAddress, Long lastRttMicros,
            int activeStreams, Long probeWaitingMicros) {
        static Connection of(LiveSession.Connection c) {
            return new Connection(c.sessionId(), c.node(), c.since(), c.remoteAddress(), micros(c.lastRtt()),
                    c.activeStreams(), micros(c.probeWaiting()));
        }
    }

    private static Long micros(Duration duration) {
        return duration == null ? null : duration.toNanos() / 1_000;
    }

    /**
     * Returned once, on creation and on rotation: the only time the token is shown.
     *
     * @param token        what the agent is started with; ends in {@code ~<serverKeyPin>} when the agent port
     *                     uses TLS
     * @param serverKeyPin the agent port's TLS key pin, null when it is plain TCP
     */
    public record Created(long id, String name, String token, String serverKeyPin, Summary client) {
        @Override
        public String toString() {
            return "Created[id=" + id + ", name=" + name + ", token=****, serverKeyPin=" + serverKeyPin + "]";
        }
    }
}
