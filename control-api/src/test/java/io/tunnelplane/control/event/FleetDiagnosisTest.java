package io.tunnelplane.control.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FleetDiagnosisTest {
    private static final Instant NOON = Instant.parse("2026-11-26T12:00:00Z");
    private static final Map<Long, String> NAMES = Map.of(1L, "office", 2L, "shop", 3L, "lab", 4L, "home");

    private static ConnectionEvent drop(long client, String cause, Instant end, long durationMs) {
        return new ConnectionEvent(client, new SessionRecord(NAMES.get(client), "s-" + client + "-" + end,
                end.minusMillis(durationMs), end, "10.0.0.1:1", cause, null, durationMs, 10, 10, 1_000L, "1.0",
                "none", 1, 100L, 15_000L, 15_000L, null));
    }

    @Test
    void manyClientsDroppingAtOneMomentPointAtTheServerSide() {
        List<ConnectionEvent> events = new ArrayList<>(List.of(
                drop(1, "peer_reset", NOON.plusSeconds(2), 900_000),
                drop(2, "peer_closed", NOON.plusSeconds(4), 40_000),
                drop(3, "keepalive_timeout", NOON.plusSeconds(7), 3_000_000),
                drop(4, "peer_reset", NOON.minusSeconds(3_000), 50_000)));
        FleetDiagnosis.Result result = FleetDiagnosis.diagnose(events, NAMES::get);
        assertThat(result.pattern()).isEqualTo("server_side");
        assertThat(String.join(" ", result.evidence())).contains("3 clients dropped within 10 s")
                .contains("[lab, office, shop]");
        assertThat(result.clients()).extracting(FleetDiagnosis.ClientFinding::client)
                .containsExactlyInAnyOrder("office", "shop", "lab", "home");
    }

    @Test
    void stallsRecordedOnSeveralClientsNameTheServer() {
        FleetDiagnosis.Result result = FleetDiagnosis.diagnose(List.of(
                drop(1, "server_stalled", NOON, 60_000), drop(2, "server_stalled", NOON, 60_000)), NAMES::get);
        assertThat(result.pattern()).isEqualTo("server_stalled");
    }

    @Test
    void dropsSpreadOverTimeAndClientsAreEachClientsOwnPath() {
        List<ConnectionEvent> events = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            events.add(drop(1, "peer_reset", NOON.plusSeconds(600L * i), 90_000 + i * 10));
            events.add(drop(2, "keepalive_timeout", NOON.plusSeconds(600L * i + 300), 1_000_000L * (i + 1)));
        }
        FleetDiagnosis.Result result = FleetDiagnosis.diagnose(events, NAMES::get);
        assertThat(result.pattern()).isEqualTo("per_client");
        assertThat(result.clients()).extracting(FleetDiagnosis.ClientFinding::pattern)
                .contains("session_lifetime_cap");
    }

    @Test
    void chosenEndingsAreNothing() {
        FleetDiagnosis.Result result = FleetDiagnosis.diagnose(List.of(drop(1, "kicked", NOON, 1_000),
                drop(2, "server_shutdown", NOON, 1_000), drop(3, "replaced", NOON, 1_000)), NAMES::get);
        assertThat(result.pattern()).isEqualTo("none");
        assertThat(result.clients()).isEmpty();
    }
}
