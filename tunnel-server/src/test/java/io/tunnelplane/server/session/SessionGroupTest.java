package io.tunnelplane.server.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.tunnelplane.protocol.DisconnectCause;
import io.tunnelplane.protocol.control.ProxySpec;
import io.tunnelplane.protocol.keepalive.KeepaliveMonitor;
import io.tunnelplane.protocol.keepalive.KeepaliveRole;
import io.tunnelplane.protocol.keepalive.KeepaliveSettings;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The session group's choices on a fake clock: which session a new visitor rides on, and which sessions a login
 * replaces.
 */
class SessionGroupTest {
    private static final KeepaliveSettings KEEPALIVE = KeepaliveSettings.of(Duration.ofMillis(500),
            Duration.ofSeconds(5));
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final EmbeddedChannel home = new EmbeddedChannel();
    private final SessionGroup group = new SessionGroup("acme", home.eventLoop(), (g, proxy) -> {
        throw new AssertionError("no proxies in these tests");
    }, () -> { });

    @AfterEach
    void close() {
        group.sessions().forEach(session -> ((EmbeddedChannel) session.channel()).finishAndReleaseAll());
        home.finishAndReleaseAll();
    }

    @Test
    void visitorsGoToTheLeastBusySession() {
        Member first = join("c1", 2);
        Member second = join("c2", 2);
        first.session.streamOpened();
        first.session.streamOpened();
        second.session.streamOpened();

        assertThat(group.pick()).isSameAs(second.session);
        second.session.streamOpened();
        second.session.streamOpened();
        assertThat(group.pick()).isSameAs(first.session);
    }

    @Test
    void aSessionWhoseProbeGoesUnansweredInSilenceIsSkippedLongBeforeItsTimeout() {
        Member broken = join("c1", 2);
        Member healthy = join("c2", 2);
        for (int i = 0; i < 5; i++) {
            healthy.session.streamOpened(); // busier, but answering
        }
        advance(600);
        healthy.keepalive.onInbound();
        assertThat(broken.keepalive.evaluate(false, false).action()).isEqualTo(KeepaliveMonitor.Action.SEND_PROBE);
        assertThat(group.pick()).as("within the grace a probe may be in flight").isSameAs(broken.session);

        advance(AgentSession.OVERDUE_FLOOR_NANOS / 1_000_000 + 1);
        healthy.keepalive.onInbound();
        assertThat(broken.session.probeOverdue()).isTrue();
        assertThat(group.pick()).isSameAs(healthy.session);
    }

    @Test
    void trafficStillArrivingIsProofOfLifeEvenWhenTheProbeAnswerIsLate() {
        Member busy = join("c1", 2);
        Member idle = join("c2", 2);
        idle.session.streamOpened();
        advance(600);
        busy.keepalive.evaluate(false, false); // probe sent
        advance(400);
        busy.keepalive.onInbound(); // data, not yet the answer
        idle.keepalive.onInbound();

        assertThat(busy.session.probeOverdue()).isFalse();
        assertThat(group.pick()).isSameAs(busy.session);
    }

    @Test
    void whenEverySessionIsOverdueTheOneHeardFromLastIsChosen() {
        Member older = join("c1", 2);
        Member newer = join("c2", 2);
        newer.session.streamOpened();
        advance(600);
        older.keepalive.evaluate(false, false);
        advance(100);
        newer.keepalive.onInbound();
        advance(500);
        newer.keepalive.evaluate(false, false);
        advance(300);

        assertThat(older.session.probeOverdue()).isTrue();
        assertThat(newer.session.probeOverdue()).isTrue();
        assertThat(group.pick()).isSameAs(newer.session);
    }

    @Test
    void drainingAndEndedSessionsTakeNoVisitors() {
        Member first = join("c1", 2);
        Member second = join("c2", 2);
        second.session.streamOpened();
        first.session.drain();
        assertThat(group.pick()).isSameAs(second.session);
        second.session.end(DisconnectCause.KICKED);
        runPending();
        assertThat(group.pick()).isNull();
    }

    @Test
    void aReconnectReplacesItsOwnPredecessorAndNeverAHealthySibling() {
        Member stale = join("c1", 2);
        Member sibling = join("c2", 2);
        Member replacement = join("c1", 2);
        runPending();

        assertThat(stale.session.isLive()).isFalse();
        assertThat(stale.session.cause()).isEqualTo(DisconnectCause.REPLACED);
        assertThat(sibling.session.isLive()).isTrue();
        assertThat(group.live()).containsExactlyInAnyOrder(sibling.session, replacement.session);
    }

    @Test
    void aClientIsHeldToItsSetSizeByEndingItsSilentestSessions() {
        Member silent = join("c1", 2);
        advance(1_000);
        Member chatty = join("c2", 2);
        advance(1_000);
        chatty.keepalive.onInbound();
        Member third = join("c3", 2);
        runPending();

        assertThat(silent.session.cause()).isEqualTo(DisconnectCause.REPLACED);
        assertThat(group.live()).containsExactlyInAnyOrder(chatty.session, third.session);
    }

    @Test
    void aPortThatFinishesOpeningAfterTheLastSessionLeftIsClosedNotKept() {
        ProxySpec spec = new ProxySpec(1, "web", ProxySpec.TCP, "127.0.0.1", 80, 10080, List.of(), List.of(), null,
                false);
        Member only = join("c1", 1);
        assertThat(group.adopt(spec, ProxyListener.port(spec, new EmbeddedChannel()))).isTrue();
        group.leave(only.session); // the agent reconnects at once: its session leaves while a port is binding
        home.runPendingTasks();
        assertThat(group.adopt(spec, ProxyListener.port(spec, new EmbeddedChannel()))).isFalse();
    }

    private Member join(String connectionId, int connections) {
        KeepaliveMonitor keepalive = new KeepaliveMonitor(KEEPALIVE, KeepaliveRole.LEAD, clock::get);
        AgentSession session = new AgentSession(new EmbeddedChannel(), "acme", connectionId + "-" + clock.get(),
                connectionId, null, keepalive);
        assertThat(group.join(session, List.of(), connections)).isTrue();
        session.joined(group);
        return new Member(session, keepalive);
    }

    private void advance(long millis) {
        clock.addAndGet(millis * 1_000_000);
    }

    private void runPending() {
        group.sessions().forEach(session -> ((EmbeddedChannel) session.channel()).runPendingTasks());
    }

    private record Member(AgentSession session, KeepaliveMonitor keepalive) {
    }
}
