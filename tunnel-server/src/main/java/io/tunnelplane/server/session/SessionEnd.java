package io.tunnelplane.server.session;

import io.tunnelplane.control.event.ConnectionEvents;
import io.tunnelplane.control.event.SessionRecord;
import io.tunnelplane.protocol.DisconnectCause;
import io.tunnelplane.protocol.pause.Pause;
import io.tunnelplane.protocol.pause.PauseAttribution;
import io.tunnelplane.server.metrics.TunnelMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** Everything that happens once when a session ends: ports freed, registry, metrics, one log line, one event. */
@Component
public class SessionEnd {
    private static final Logger log = LoggerFactory.getLogger("io.tunnelplane.session");

    private final SessionRegistry registry;
    private final TunnelMetrics metrics;
    private final ConnectionEvents events;

    public SessionEnd(SessionRegistry registry, TunnelMetrics metrics, ConnectionEvents events) {
        this.registry = registry;
        this.metrics = metrics;
        this.events = events;
    }

    void finish(AgentSession session, Throwable lastError) {
        DisconnectCause settled = session.settleCause(lastError);
        // An agent that gave up on us while this server was not running did not lose its path: say so.
        Optional<Pause> stall = PauseAttribution.explain(settled, session.keepalive());
        DisconnectCause cause = stall.isPresent() ? DisconnectCause.SERVER_STALLED : settled;
        registry.remove(session);
        Duration age = session.age();
        metrics.sessionEnded(session.clientId(), session.info().agentVersion(), cause, age);
        Duration rtt = session.lastRtt();
        String detail = stall.isPresent()
                ? "this server " + stall.get().describe() + "; the session then ended as " + settled.wireName()
                : session.detail() != null ? session.detail()
                : lastError != null ? String.valueOf(lastError.getMessage()) : null;
        log.info("agent disconnected client={} session={} cause={} duration={} last_rtt={} bytes_in={} bytes_out={}"
                        + " silence={} remote={}{}",
                session.clientId(), session.sessionId(), cause.wireName(), human(age),
                rtt == null ? "-" : rtt.toNanos() / 1_000 + "us", session.bytesIn(), session.bytesOut(),
                human(session.silence()), session.remoteAddress(),
                explanation(detail));
        events.record(new SessionRecord(session.clientId(), session.sessionId(), session.connectedAt(), Instant.now(),
                String.valueOf(session.remoteAddress()), cause.wireName(), detail, age.toMillis(), session.bytesIn(),
                session.bytesOut(), rtt == null ? null : rtt.toNanos() / 1_000, session.info().agentVersion(),
                session.info().previousCause().wireName(), session.info().reconnectAttempts(),
                session.silence().toMillis(), session.info().keepalive().time().toMillis(),
                session.info().keepalive().timeout().toMillis(),
                session.retransmits() < 0 ? null : session.retransmits()));
    }

    private static String explanation(String detail) {
        return detail == null ? "" : " detail=\"" + detail.replace('"', '\'') + "\"";
    }

    static String human(Duration d) {
        long ms = d.toMillis();
        return ms < 10_000 ? ms + "ms" : d.toSeconds() + "s";
    }
}
