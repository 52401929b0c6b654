package io.tunnelplane.server.session;

import io.tunnelplane.server.admission.LogThrottle;
import io.tunnelplane.server.admission.LoginGuard;
import io.tunnelplane.server.client.ClientDirectory;
import io.tunnelplane.server.metrics.TunnelMetrics;
import java.time.Duration;

/**
 * What a login handler needs from the server, and nothing more: where credentials are looked up, the guard against
 * guessing, how refusals are counted and logged, what the login answer says, and who opens the session.
 */
record LoginContext(
        ClientDirectory directory,
        LoginGuard guard,
        LogThrottle refusalLog,
        TunnelMetrics metrics,
        String serverVersion,
        Duration handshakeTimeout,
        KeepaliveNegotiation keepalive,
        ClusterNodes clusterNodes,
        SessionOpener opener) {
}
