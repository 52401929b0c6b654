package io.tunnelplane.agent;

import io.tunnelplane.protocol.DisconnectCause;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** The agent's own view of its connections: state, last RTT, reconnects and disconnects by cause. */
public final class AgentMetrics {
    private final int wanted;
    private final AtomicInteger connections = new AtomicInteger();
    private volatile long lastRttNanos = -1;
    private final AtomicLong sessions = new AtomicLong();
    private volatile int failedAttempts;
    private volatile long keepaliveTimeMillis;
    private final Map<DisconnectCause, Long> disconnects = new EnumMap<>(DisconnectCause.class);

    /** @param wanted the size of the agent's connection set */
    public AgentMetrics(int wanted) {
        this.wanted = wanted;
    }

    void connected() {
        connections.incrementAndGet();
        sessions.incrementAndGet();
    }

    synchronized void disconnected(DisconnectCause cause) {
        connections.decrementAndGet();
        disconnects.merge(cause, 1L, Long::sum);
    }

    void rtt(long nanos) {
        lastRttNanos = nanos;
    }

    void keepaliveTime(long millis) {
        keepaliveTimeMillis = millis;
    }

    /** The probe interval agreed with the server at the last login, in milliseconds (0 before any). */
    public long keepaliveTimeMillis() {
        return keepaliveTimeMillis;
    }

    void failedAttempts(int attempts) {
        failedAttempts = attempts;
    }

    /** Consecutive failed connection attempts right now (0 while connected). */
    public int failedAttempts() {
        return failedAttempts;
    }

    /** The agent's view in the Prometheus text format, for {@code --metrics-port}. */
    public synchronized String prometheus() {
        StringBuilder out = new StringBuilder();
        gauge(out, "tunnel_agent_connected", "1 while at least one session to a server is up", isConnected() ? 1 : 0);
        gauge(out, "tunnel_agent_connections", "sessions up now", connections.get());
        gauge(out, "tunnel_agent_connections_wanted", "sessions the agent keeps (--connections)", wanted);
        gauge(out, "tunnel_agent_failed_attempts", "consecutive failed connection attempts", failedAttempts);
        counter(out, "tunnel_agent_sessions", "sessions established since start", sessions.get());
        gauge(out, "tunnel_agent_keepalive_time_seconds", "probe interval agreed with the server",
                keepaliveTimeMillis / 1e3);
        gauge(out, "tunnel_agent_heartbeat_rtt_seconds", "last keepalive round-trip time",
                lastRttNanos < 0 ? Double.NaN : lastRttNanos / 1e9);
        out.append("# HELP tunnel_agent_disconnects_total sessions ended, by cause as the agent saw it\n")
                .append("# TYPE tunnel_agent_disconnects_total counter\n");
        disconnects.forEach((cause, count) -> out.append("tunnel_agent_disconnects_total{cause=\"")
                .append(cause.wireName()).append("\"} ").append(count).append('\n'));
        return out.toString();
    }

    private static void gauge(StringBuilder out, String name, String help, double value) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" gauge\n")
                .append(name).append(' ').append(Double.isNaN(value) ? "NaN" : value).append('\n');
    }

    private static void counter(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append("_total ").append(help).append('\n')
                .append("# TYPE ").append(name).append("_total counter\n")
                .append(name).append("_total ").append(value).append('\n');
    }

    /** Whether at least one session of the set is up. */
    public boolean isConnected() {
        return connections.get() > 0;
    }

    /** Sessions of the set that are up now. */
    public int connections() {
        return connections.get();
    }

    /** Sessions established since start; more than the set's size means the agent reconnected. */
    public long sessions() {
        return sessions.get();
    }

    public long lastRttNanos() {
        return lastRttNanos;
    }

    public synchronized Map<DisconnectCause, Long> disconnects() {
        return Map.copyOf(disconnects);
    }
}
