package io.tunnelplane.server.health;

import io.tunnelplane.server.engine.TunnelEngine;
import io.tunnelplane.server.session.SessionRegistry;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/** {@code tunnel} health: the agent port is bound and accepting; details say how many agents are online. */
@Component("tunnel")
public class TunnelHealthIndicator implements HealthIndicator {
    private final TunnelEngine engine;
    private final SessionRegistry sessions;

    public TunnelHealthIndicator(TunnelEngine engine, SessionRegistry sessions) {
        this.engine = engine;
        this.sessions = sessions;
    }

    @Override
    public Health health() {
        if (!engine.isAccepting()) {
            return Health.down().withDetail("agentPort", "not listening").build();
        }
        return Health.up().withDetail("agentPort", engine.agentPort())
                .withDetail("sessions", sessions.all().size()).build();
    }
}
