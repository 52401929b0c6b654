package io.tunnelplane.server.session;

import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.tunnelplane.protocol.DisconnectCause;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.springframework.stereotype.Component;

/** The live sessions, at most one per client: a new login of the same client replaces the old session at once. */
@Component
public class SessionRegistry {
    private final ConcurrentMap<String, AgentSession> byClient = new ConcurrentHashMap<>();

    /**
     * Registers {@code session}; a previous session of the same client ends with {@code replaced}. The returned
     * future completes when the previous session's ports are free, so the new one can bind them.
     */
    Future<Void> register(AgentSession session) {
        AgentSession previous = byClient.put(session.clientId(), session);
        if (previous == null) {
            return ImmediateEventExecutor.INSTANCE.newSucceededFuture(null);
        }
        previous.end(DisconnectCause.REPLACED);
        return previous.listenersClosed();
    }

    void remove(AgentSession session) {
        byClient.remove(session.clientId(), session);
    }

    public Optional<AgentSession> find(String clientId) {
        return Optional.ofNullable(byClient.get(clientId));
    }

    public Collection<AgentSession> all() {
        return List.copyOf(byClient.values());
    }

    /** Ends the client's session, if any, with {@code cause}. Returns whether one was online. */
    public boolean disconnect(String clientId, DisconnectCause cause) {
        AgentSession session = byClient.get(clientId);
        if (session == null) {
            return false;
        }
        session.end(cause);
        return true;
    }
}
