package io.tunnelplane.protocol.keepalive;

/** Which end of a session probes an idle path first (see {@link KeepaliveMonitor}). */
public enum KeepaliveRole {
    /** Probes after {@code time} of silence and samples the RTT of busy sessions: the server, whose metrics need it. */
    LEAD,
    /**
     * Probes only when the lead's probe is overdue, and samples RTT four times less often: the agent. Its dead-path
     * detection takes two ticks longer than the lead's.
     */
    FOLLOW
}
