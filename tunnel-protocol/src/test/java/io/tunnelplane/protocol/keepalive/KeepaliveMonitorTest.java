package io.tunnelplane.protocol.keepalive;

import static org.assertj.core.api.Assertions.assertThat;

import io.tunnelplane.protocol.DisconnectCause;
import io.tunnelplane.protocol.keepalive.KeepaliveMonitor.Action;
import io.tunnelplane.protocol.keepalive.KeepaliveMonitor.Decision;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The keepalive state machine on a fake clock: no sleeping, every instant chosen by the test. */
class KeepaliveMonitorTest {
    private long now = 1_000_000_000L;
    private final KeepaliveMonitor monitor = new KeepaliveMonitor(
            new KeepaliveSettings(Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(10)), KeepaliveRole.LEAD,
            () -> now);

    private void advance(long millis) {
        now += Duration.ofMillis(millis).toNanos();
    }

    private Decision tick() {
        return monitor.evaluate(false, false);
    }

    @Test
    void probesOnlyAfterTheQuietPeriod() {
        advance(1_999);
        assertThat(tick().action()).isEqualTo(Action.NONE);
        advance(1);
        assertThat(tick().action()).isEqualTo(Action.SEND_PROBE);
    }

    @Test
    void theProbeInFlightIsTimedUntilItsAnswerOnly() {
        assertThat(monitor.probeOutstandingNanos()).isZero();
        advance(2_000);
        Decision probe = tick();
        advance(150);
        assertThat(monitor.probeOutstandingNanos()).isEqualTo(Duration.ofMillis(150).toNanos());
        monitor.onInbound(); // other traffic does not answer the probe
        assertThat(monitor.probeOutstandingNanos()).isEqualTo(Duration.ofMillis(150).toNanos());
        assertThat(monitor.silenceNanos()).isZero();
        assertThat(monitor.onProbeAck(probe.probePayload())).isEqualTo(Duration.ofMillis(150).toNanos());
        assertThat(monitor.probeOutstandingNanos()).isZero();
        assertThat(monitor.lastRttNanos()).isEqualTo(Duration.ofMillis(150).toNanos());
    }

    @Test
    void ourOwnStallIsNotHeldAgainstThePeer() {
        advance(2_000);
        assertThat(tick().action()).isEqualTo(Action.SEND_PROBE);
        advance(30_000); // this side did not run: the answer sits unread in our socket
        monitor.resumedAfterOwnStall(Duration.ofSeconds(30).toNanos());
        Decision fresh = tick();
        assertThat(fresh.action()).as("probe again instead of judging").isEqualTo(Action.SEND_PROBE);
        assertThat(monitor.lastOwnStallNanos()).isEqualTo(Duration.ofSeconds(30).toNanos());
        advance(100);
        monitor.onInbound();
        assertThat(monitor.onProbeAck(fresh.probePayload())).isEqualTo(Duration.ofMillis(100).toNanos());
        advance(1_000);
        assertThat(tick().action()).isEqualTo(Action.NONE);
    }

    @Test
    void aPathThatDiedDuringOurStallIsFoundOneTimeoutAfterWeRunAgain() {
        advance(30_000);
        monitor.resumedAfterOwnStall(Duration.ofSeconds(30).toNanos());
        assertThat(tick().action()).isEqualTo(Action.SEND_PROBE);
        advance(3_999);
        assertThat(tick().action()).isEqualTo(Action.NONE);
        advance(1);
        assertThat(tick().cause()).isEqualTo(DisconnectCause.KEEPALIVE_TIMEOUT);
    }

    @Test
    void silentPeerIsDeadExactlyTimeoutAfterTheProbe() {
        advance(2_000);
        assertThat(tick().action()).isEqualTo(Action.SEND_PROBE);
        advance(3_999);
        assertThat(tick().action()).isEqualTo(Action.NONE);
        advance(1);
        Decision dead = tick();
        assertThat(dead.action()).isEqualTo(Action.DEAD);
        assertThat(dead.cause()).isEqualTo(DisconnectCause.KEEPALIVE_TIMEOUT);
    }

    @Test
    void anyInboundTrafficAfterTheProbeKeepsTheSessionAliveEvenWithoutAnAck() {
        advance(2_000);
        Decision probe = tick();
        assertThat(probe.action()).isEqualTo(Action.SEND_PROBE);
        // The ack is stuck behind bulk data, but data keeps arriving: proof of life.
        for (int i = 0; i < 100; i++) {
            advance(500);
            monitor.onInbound();
            assertThat(tick().action()).isNotEqualTo(Action.DEAD);
        }
    }

    @Test
    void busySessionIsNeverProbedForLivenessButStillSamplesRtt() {
        int probes = 0;
        for (int i = 0; i < 60; i++) { // 30 s of steady traffic
            advance(500);
            monitor.onInbound();
            Decision decision = tick();
            assertThat(decision.action()).isNotEqualTo(Action.DEAD);
            if (decision.action() == Action.SEND_PROBE) {
                probes++;
                advance(1);
                assertThat(monitor.onProbeAck(decision.probePayload())).isEqualTo(Duration.ofMillis(1).toNanos());
            }
        }
        assertThat(probes).as("one RTT sample per 10 s sample interval").isEqualTo(3);
        assertThat(monitor.lastRttNanos()).isEqualTo(Duration.ofMillis(1).toNanos());
    }

    @Test
    void ackOfAnUnknownProbeIsIgnored() {
        advance(2_000);
        Decision probe = tick();
        assertThat(monitor.onProbeAck(probe.probePayload() + 1)).isEqualTo(-1);
        assertThat(monitor.lastRttNanos()).isEqualTo(-1);
    }

    @Test
    void neverBlamesThePeerWhileOurOwnReadingIsPaused() {
        advance(2_000);
        assertThat(tick().action()).isEqualTo(Action.SEND_PROBE);
        for (int i = 0; i < 6; i++) { // far past the 4 s timeout, but we were not reading
            advance(1_000);
            assertThat(monitor.evaluate(true, false).action()).isEqualTo(Action.NONE);
        }
        // Reading resumes: the peer gets a full period again before anything is decided.
        advance(1_999);
        assertThat(tick().action()).isEqualTo(Action.NONE);
        advance(1);
        assertThat(tick().action()).isEqualTo(Action.SEND_PROBE);
    }

    @Test
    void pendingWritesThatDoNotDrainAreAWriteStall() {
        for (int i = 0; i < 7; i++) {
            advance(500);
            monitor.onInbound();
            assertThat(monitor.evaluate(false, true).action()).isNotEqualTo(Action.DEAD);
        }
        advance(500);
        monitor.onInbound();
        Decision stall = monitor.evaluate(false, true);
        assertThat(stall.action()).isEqualTo(Action.DEAD);
        assertThat(stall.cause()).isEqualTo(DisconnectCause.WRITE_STALL);
    }

    @Test
    void pendingWritesThatKeepDrainingAreNotAStall() {
        for (int i = 0; i < 40; i++) {
            advance(500);
            monitor.onInbound();
            monitor.onWriteProgress();
            assertThat(monitor.evaluate(false, true).action()).isNotEqualTo(Action.DEAD);
        }
    }

    @Test
    void onlyRealReadsCountAsBytesFromThePeerNotOurOwnPauses() {
        advance(500);
        monitor.onInbound();
        assertThat(monitor.readWithin(Duration.ofMillis(500).toNanos())).isTrue();
        advance(501);
        assertThat(monitor.readWithin(Duration.ofMillis(500).toNanos())).isFalse();
        // A pause of our own reading restarts the silence clock, but nothing was read: a stalled writer on a
        // transport that cannot see ACKs must not take that for the peer taking its bytes.
        monitor.evaluate(true, true);
        assertThat(monitor.silenceNanos()).isZero();
        assertThat(monitor.readWithin(Duration.ofMillis(500).toNanos())).isFalse();
    }

    @Test
    void detectionBoundCoversQuietPeriodTimeoutAndTheSharedTimersLateness() {
        KeepaliveSettings settings = KeepaliveSettings.of(Duration.ofSeconds(2), Duration.ofSeconds(4));
        assertThat(settings.tickInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(settings.detectionBound(KeepaliveRole.LEAD)).isEqualTo(Duration.ofMillis(6_625));
        assertThat(settings.detectionBound(KeepaliveRole.FOLLOW)).isEqualTo(Duration.ofMillis(7_625));
    }

    @Test
    void followerLeavesTheIdleProbeToTheLeadWhileTheLeadsProbesArrive() {
        KeepaliveMonitor follower = new KeepaliveMonitor(KeepaliveSettings.of(Duration.ofSeconds(2),
                Duration.ofSeconds(4)), KeepaliveRole.FOLLOW, () -> now);
        int probes = 0;
        for (int i = 0; i < 120; i++) { // a minute of an idle session: the lead's probe arrives every 2.5 s
            advance(500);
            if (i % 5 == 4) {
                follower.onInbound();
            }
            Decision decision = follower.evaluate(false, false);
            if (decision.action() == Action.SEND_PROBE) {
                probes++;
                follower.onProbeAck(decision.probePayload());
            }
        }
        assertThat(probes).as("RTT samples only, one per 16 s (four times the lead's interval)").isEqualTo(3);
    }

    @Test
    void followerProbesOnItsOwnTwoTicksAfterTheLeadsProbeWasDue() {
        KeepaliveMonitor follower = new KeepaliveMonitor(KeepaliveSettings.of(Duration.ofSeconds(2),
                Duration.ofSeconds(4)), KeepaliveRole.FOLLOW, () -> now);
        advance(2_999);
        assertThat(follower.evaluate(false, false).action()).isEqualTo(Action.NONE);
        advance(1);
        assertThat(follower.evaluate(false, false).action()).isEqualTo(Action.SEND_PROBE);
        advance(4_000);
        Decision dead = follower.evaluate(false, false);
        assertThat(dead.action()).isEqualTo(Action.DEAD);
        assertThat(dead.cause()).isEqualTo(DisconnectCause.KEEPALIVE_TIMEOUT);
    }
}
