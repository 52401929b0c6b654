package io.tunnelplane.server.session;

import io.netty.util.concurrent.Promise;
import io.tunnelplane.protocol.DisconnectCause;
import io.tunnelplane.protocol.mux.GoAwayReason;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Graceful drain on shutdown: every group stops accepting, every session is told {@code server_shutdown}, then we wait
 * (on the stopping thread, never an event loop) until its relayed connections finish or the drain time is up.
 */
public final class SessionDrain {
    static final int LOGINS_PER_SECOND = 1_000;
    private SessionDrain() {
    }

    public static void drainAll(Collection<SessionGroup> groups, Duration drain) {
        groups.forEach(SessionGroup::stopAccepting);
        List<AgentSession> sessions = groups.stream().flatMap(group -> group.sessions().stream()).toList();
        CountDownLatch drained = new CountDownLatch(sessions.size());
        GoAwayReason reason = new GoAwayReason(DisconnectCause.SERVER_SHUTDOWN, reconnectSpread(sessions.size()));
        for (AgentSession session : sessions) {
            session.eventLoop().execute(() -> {
                session.drain();
                session.announce(reason);
                Promise<Void> idle = session.eventLoop().newPromise();
                idle.addListener(f -> drained.countDown());
                waitIdle(session, idle);
            });
        }
        try {
            drained.await(drain.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * How widely agents should spread their reconnects: about {@link #LOGINS_PER_SECOND} logins per second for the
     * next server, at least one second, at most a minute.
     */
    static Duration reconnectSpread(int sessions) {
        long millis = sessions * 1000L / LOGINS_PER_SECOND;
        return Duration.ofMillis(Math.max(1_000, Math.min(60_000, millis)));
    }

    private static void waitIdle(AgentSession session, Promise<Void> idle) {
        if (session.activeStreams() == 0 || !session.channel().isActive()) {
            idle.trySuccess(null);
            return;
        }
        session.eventLoop().schedule(() -> waitIdle(session, idle), 50, TimeUnit.MILLISECONDS);
    }
}
