package io.tunnelplane.agent;

import io.tunnelplane.protocol.DisconnectCause;
import java.util.EnumMap;
import java.util.Map;

/** The agent's own view of its connection: state, last RTT, reconnects and disconnects by cause. */
public final class AgentMetrics {
    private volatile boolean connected;
    private volatile long lastRttNanos = -1;
    private volatile long sessions;
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
