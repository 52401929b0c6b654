package io.tunnelplane.control.cluster;

import java.time.Duration;

/** What the control plane needs to know about the node it runs on; implemented by the server. */
public interface ClusterMembership {
    /** This node's id ({@code tunnel.server.node-id}, or the host name). */
    String nodeId();

    /** How long a node may go without a heartbeat before it counts as dead. */
    Duration nodeExpiry();
}
