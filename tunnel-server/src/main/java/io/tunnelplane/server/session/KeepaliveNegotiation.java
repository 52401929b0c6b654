package io.tunnelplane.server.session;

import io.tunnelplane.protocol.handshake.Login;
import io.tunnelplane.protocol.keepalive.KeepaliveSettings;
import io.tunnelplane.server.config.TunnelServerProperties;
import java.time.Duration;

/** The server's keepalive settings, or the agent's wish where it asked for one within the server's bounds. */
record KeepaliveNegotiation(TunnelServerProperties.Keepalive server) {

    KeepaliveSettings settle(Login login) {
        Duration time = server.time();
        Duration timeout = server.timeout();
        if (login.keepaliveTimeMillis() > 0) {
            // Never below the enforced minimum: the agent learns the agreed value in LoginAccepted.
            time = max(Duration.ofMillis(login.keepaliveTimeMillis()), server.minTime());
        }
        if (login.keepaliveTimeoutMillis() > 0) {
            timeout = max(Duration.ofMillis(login.keepaliveTimeoutMillis()), KeepaliveSettings.MIN_TIME);
        }
        return KeepaliveSettings.of(time, timeout);
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
