package io.tunnelplane.control.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DisconnectDiagnosisTest {
    private static ConnectionEvent event(String cause, long durationMs, long bytes, Long rttMicros, Long silenceMs) {
        Instant end = Instant.parse("2026-11-26T12:00:00Z");
        return new ConnectionEvent(1L, new SessionRecord("c", "session-" + durationMs + "-" + cause,
                end.minusMillis(durationMs), end, "10.0.0.1:1", cause, null, durationMs, bytes / 2, bytes / 2,
                rttMicros, "1.0", "none", 1, silenceMs, 15_000L, 15_000L, null));
    }

    @Test
    void chosenEndingsAreNothingToExplain() {
        DisconnectDiagnosis.Result result = DisconnectDiagnosis.diagnose(List.of(
                event("kicked", 60_000, 0, null, 10L), event("server_shutdown", 3_600_000, 0, null, 10L),
                event("agent_shutdown", 100_000, 0, null, 5L)));
        assertThat(result.pattern()).isEqualTo("none");
    }

    @Test
    void cutsByThePathAtTheSameAgeAreALifetimeCap() {
        DisconnectDiagnosis.Result result = DisconnectDiagnosis.diagnose(List.of(
                event("peer_closed", 90_100, 10_000_000, 2_000L, 50L),
                event("peer_reset", 90_050, 500, 2_000L, 14_000L),
                event("peer_closed", 90_000, 80_000_000, 2_000L, 10L)));
        assertThat(result.pattern()).isEqualTo("session_lifetime_cap");
        assertThat(result.summary()).contains("90 s");
        assertThat(result.recommendation()).contains("90 s");
    }

    @Test
    void timeoutsAtTheSameAgeWithTrafficAreASettingsMismatch() {
        DisconnectDiagnosis.Result result = DisconnectDiagnosis.diagnose(List.of(
                event("keepalive_timeout", 90_100, 10_000_000, 2_000L, 16_000L),
                event("keepalive_timeout", 90_050, 20_000_000, 2_000L, 16_000L),
                event("keepalive_timeout", 90_000, 80_000_000, 2_000L, 16_000L)));
        assertThat(result.pattern()).isEqualTo("settings_mismatch");
    }

    @Test
    void anIdleTunnelBehindANatThatForgetsIdleMappingsIsNotASettingsMismatch() {
        // The misread case (issue 14): an idle tunnel behind a NAT with a 10 s idle timer and keepalive.time 15 s
        // dies the same way every time, at the same age: no traffic, a keepalive timeout after >= 15 s of silence.
        DisconnectDiagnosis.Result result = DisconnectDiagnosis.diagnose(List.of(
                event("keepalive_timeout", 30_040, 900, 1_200L, 30_000L),
                event("keepalive_timeout", 30_010, 880, 1_100L, 30_000L),
                event("keepalive_timeout", 30_020, 910, 1_300L, 30_000L),
                event("keepalive_timeout", 30_030, 870, 1_200L, 30_000L)));
        assertThat(result.pattern()).isEqualTo("middlebox_idle_timeout");
        assertThat(result.recommendation()).contains("keepalive.time");
    }

    @Test
    void idleDeathsPointAtAMiddlebox() {
        DisconnectDiagnosis.Result result = DisconnectDiagnosis.diagnose(List.of(
                event("keepalive_timeout", 400_000, 2_000, null, 30_500L),
                event("keepalive_timeout", 1_900_000, 9_000, 1_000L, 30_200L),
                event("keepalive_timeout", 120_000, 1_000, 900L, 30_300L)));
        assertThat(result.pattern()).isEqualTo("middlebox_idle_timeout");
        assertThat(result.recommendation()).contains("keepalive.time").contains("7 s");
    }

    @Test
    void busyDeathsPointAtQueuing() {
        DisconnectDiagnosis.Result result = DisconnectDiagnosis.diagnose(List.of(
                event("write_stall", 300_000, 3_000_000_000L, 9_000_000L, 100L),
                event("keepalive_timeout", 700_000, 7_000_000_000L, 6_000_000L, 16_000L)));
        assertThat(result.pattern()).isEqualTo("saturation");
        assertThat(String.join(" ", result.evidence())).contains("9000 ms");
    }

    @Test
    void randomDropsWithRisingRttAreALossyLink() {
        List<ConnectionEvent> newestFirst = new ArrayList<>(List.of(
                event("peer_reset", 50_000, 1_000_000, 400_000L, 200L),
                event("peer_reset", 610_000, 1_000_000, 150_000L, 300L),
                event("peer_reset", 1_200_000, 1_000_000, 40_000L, 100L)));
        assertThat(DisconnectDiagnosis.diagnose(newestFirst).pattern()).isEqualTo("lossy_link");
    }

    /** An event with everything the newer patterns read. */
    private static ConnectionEvent event(String cause, String previousCause, int attempts, long durationMs,
            long keepaliveTimeMs, Long silenceMs, String detail) {
        Instant end = Instant.parse("2026-11-26T12:00:00Z").plusMillis(durationMs);
        return new ConnectionEvent(1L, new SessionRecord("c", "s-" + cause + durationMs + attempts,
                end.minusMillis(durationMs), end, "10.0.0.1:1", cause, detail, durationMs, 500, 500, 1_000L, "1.0",
                previousCause, attempts, silenceMs, keepaliveTimeMs, 2_000L, null));
    }

    @Test
    void endsTheAgentsOwnPauseExplainsAreNotAPathFault() {
        DisconnectDiagnosis.Result result = DisconnectDiagnosis.diagnose(List.of(
                event("agent_suspended", "none", 1, 3_600_000, 15_000, 40_000L, "the agent reported it was paused"),
                event("agent_suspended", "agent_suspended", 1, 600_000, 15_000, 40_000L, null),
                event("keepalive_timeout", "agent_suspended", 1, 900_000, 15_000, 17_000L, null)));
        assertThat(result.pattern()).isEqualTo("agent_suspended");
        assertThat(String.join(" ", result.evidence())).contains("the agent reported it was paused");
    }

    @Test
    void endsAfterTheServersOwnStallPointAtTheServer() {
        DisconnectDiagnosis.Result result = DisconnectDiagnosis.diagnose(List.of(
                event("server_stalled", "none", 1, 60_000, 15_000, 20_000L, "this server paused 21 s"),
                event("server_stalled", "none", 1, 80_000, 15_000, 20_000L, null)));
        assertThat(result.pattern()).isEqualTo("server_stalled");
        assertThat(result.recommendation()).contains("tunnel_process_pause_last_seconds");
    }

    @Test
    void shortSessionsWithFailedReconnectsBetweenThemAreAFlappingLink() {
        // Newest first; each session records the attempts it took to come up after the previous one's drop.
        DisconnectDiagnosis.Result result = DisconnectDiagnosis.diagnose(List.of(
                event("peer_reset", "peer_reset", 4, 2_100, 15_000, 100L, null),
                event("peer_reset", "peer_reset", 3, 5_300, 15_000, 100L, null),
                event("peer_reset", "none", 1, 3_800, 15_000, 100L, null)));
        assertThat(result.pattern()).isEqualTo("flapping_link");
        assertThat(String.join(" ", result.evidence())).contains("2 of 2 reconnects after a drop needed several");
    }

    @Test
    void quickReconnectsAfterShortSessionsAreNotAFlap() {
        DisconnectDiagnosis.Result result = DisconnectDiagnosis.diagnose(List.of(
                event("peer_reset", "peer_reset", 1, 4_000, 15_000, 100L, null),
                event("peer_reset", "peer_reset", 1, 4_010, 15_000, 100L, null),
                event("peer_reset", "none", 1, 4_020, 15_000, 100L, null)));
        assertThat(result.pattern()).isEqualTo("session_lifetime_cap");
        assertThat(result.summary()).contains("4 s");
    }

    @Test
    void theIdleLimitIsBracketedByTheProbeIntervalsThatDiedAndThatLived() {
        DisconnectDiagnosis.Result result = DisconnectDiagnosis.diagnose(List.of(
                event("agent_shutdown", "keepalive_timeout", 1, 120_000, 5_000, 300L, null),
                event("keepalive_timeout", "keepalive_timeout", 1, 31_000, 30_000, 31_000L, null),
                event("keepalive_timeout", "none", 1, 31_000, 30_000, 31_000L, null)));
        assertThat(result.pattern()).isEqualTo("middlebox_idle_timeout");
        assertThat(result.idleLimit()).isEqualTo(new DisconnectDiagnosis.IdleLimit(5_000L, 30_000));
        assertThat(result.summary()).contains("between 5.0 s and 30.0 s");
        assertThat(result.recommendation()).contains("try 5 s");
    }

    @Test
    void dropsOnAPathThatRetransmitsWhileItWorksAreALossyLinkNotAFlap() {
        // Logins fail on such a path too, so the reconnects struggle as on a flapping link; the kernel's
        // retransmissions while the path still answered tell the two apart.
        List<ConnectionEvent> newestFirst = new ArrayList<>();
        long[][] durationAndRetransmits = {{7_000, 14}, {21_000, 30}, {3_500, 9}};
        for (long[] d : durationAndRetransmits) {
            newestFirst.add(new ConnectionEvent(1L, new SessionRecord("c", "s" + d[0], Instant.EPOCH,
                    Instant.EPOCH.plusMillis(d[0]), "10.0.0.1:1", "keepalive_timeout", null, d[0], 400, 400, 250_000L,
                    "1.0", "keepalive_timeout", 3, 1_500L, 500L, 1_000L, d[1])));
        }
        DisconnectDiagnosis.Result result = DisconnectDiagnosis.diagnose(newestFirst);
        assertThat(result.pattern()).isEqualTo("lossy_link");
        assertThat(result.summary()).contains("keeps losing packets");
        assertThat(String.join(" ", result.evidence())).contains("14 segments retransmitted in 7 s");
    }

    @Test
    void idleSessionsThatWentSilentWhileProbingTwiceASecondLostTheirProbes() {
        // What a 40 % lossy path left in CI: sessions dying before any retransmission was sampled, idle, silent for
        // longer than the probe interval. Read as an idle timer, the limit would be "under 0.5 s": no middlebox's.
        List<ConnectionEvent> newestFirst = new ArrayList<>();
        for (long duration : new long[] {1_566, 6_941, 2_002}) {
            newestFirst.add(new ConnectionEvent(1L, new SessionRecord("c", "s" + duration, Instant.EPOCH,
                    Instant.EPOCH.plusMillis(duration), "10.0.0.1:1", "keepalive_timeout", null, duration, 0, 0, null,
                    "1.0", "keepalive_timeout", 1, 1_550L, 500L, 1_000L, null)));
        }
        DisconnectDiagnosis.Result result = DisconnectDiagnosis.diagnose(newestFirst);
        assertThat(result.pattern()).isEqualTo("lossy_link");
        assertThat(String.join(" ", result.evidence())).contains("probed every 0.5 s or more often");
    }
}
