package io.tunnelplane.agent;

import io.tunnelplane.protocol.DisconnectCause;
import java.util.EnumMap;
import java.util.Map;

/** The agent's own view of its connection: state, last RTT, reconnects and disconnects by cause. */
public final class AgentMetrics {
    private volatile boolean connected;
    private volatile long lastRttNanos = -1;
    private volatile long sessions;
    private volatile int failedAttempts;
    private volatile long keepaliveTimeMillis;
    private final Map<DisconnectCause, Long> disconnects = new EnumMap<>(DisconnectCause.class);

    void connected() {
        connected = true;
        sessions++;
    }

    synchronized void disconnected(DisconnectCause cause) {
        connected = false;
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
        gauge(out, "tunnel_agent_connected", "1 while a session to the server is up", connected ? 1 : 0);
        gauge(out, "tunnel_agent_failed_attempts", "consecutive failed connection attempts", failedAttempts);
        counter(out, "tunnel_agent_sessions", "sessions established since start", sessions);
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

    public boolean isConnected() {
        return connected;
    }

    /** Sessions established since start; more than one means the agent reconnected. */
    public long sessions() {
        return sessions;
    }

    public long lastRttNanos() {
        return lastRttNanos;
    }

    public synchronized Map<DisconnectCause, Long> disconnects() {
        return Map.copyOf(disconnects);
    }
}
