package io.tunnelplane.server.session;

import io.tunnelplane.protocol.DisconnectCause;
import io.tunnelplane.protocol.handshake.AgentHost;
import io.tunnelplane.protocol.handshake.PauseReport;
import io.tunnelplane.protocol.keepalive.KeepaliveSettings;

/**
 * What the agent told us at login and what was agreed.
 *
 * @param agentPause the agent's own pause that ended its previous session, null when there was none
 */
public record SessionInfo(
        String agentVersion,
        AgentHost host,
        DisconnectCause previousCause,
        int reconnectAttempts,
        KeepaliveSettings keepalive,
        long askedKeepaliveTimeMillis,
        long askedKeepaliveTimeoutMillis,
        boolean clusterUpdates,
        PauseReport agentPause) {
}
