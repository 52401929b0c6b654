package io.tunnelplane.server.session;

import io.tunnelplane.control.event.ConnectionEvents;
import io.tunnelplane.protocol.DisconnectCause;
import io.tunnelplane.protocol.handshake.PauseReport;
import io.tunnelplane.protocol.pause.Pause;
import io.tunnelplane.server.metrics.TunnelMetrics;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * An agent that finds, when it runs again, that its own pause (its host slept, its process was frozen) ended its
 * previous session says so at the next login. What this cluster recorded for that session from its side, usually
 * {@code keepalive_timeout}, is then corrected to {@code agent_suspended}: nothing was wrong with the path.
 */
@Component
public class AgentPauses {
    private static final Logger log = LoggerFactory.getLogger("io.tunnelplane.session");

    private final ConnectionEvents events;
    private final TunnelMetrics metrics;

    public AgentPauses(ConnectionEvents events, TunnelMetrics metrics) {
        this.events = events;
        this.metrics = metrics;
    }

    void reported(String client, PauseReport report) {
        Pause.Kind kind = Pause.Kind.fromWire(report.kind());
        String explanation = "the agent reported it was paused " + report.pausedMillis() + " ms from "
                + Instant.ofEpochMilli(report.startedAtMillis()) + ": " + kind.words().replace("the process",
                "its process").replace("the host", "its host");
        log.info("agent reported a pause client={} session={} paused={}ms kind={}: that session's end is recorded"
                        + " as {}",
                client, ServerLoginHandler.safe(report.sessionId()), report.pausedMillis(), kind.wireName(),
                DisconnectCause.AGENT_SUSPENDED.wireName());
        metrics.agentPaused(client);
        events.correct(report.sessionId(), DisconnectCause.AGENT_SUSPENDED.wireName(), explanation);
    }
}
