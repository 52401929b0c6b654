package io.tunnelplane.control.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.tunnelplane.control.client.ClientViews;
import io.tunnelplane.control.event.ConnectionEvent;
import io.tunnelplane.control.event.SessionRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionTimelineTest {
    private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");

    private static ConnectionEvent ended(String cause, Instant start, Instant end) {
        return new ConnectionEvent(1L, new SessionRecord("c", "s-" + start, start, end, "10.0.0.1:1", cause, null,
                Duration.between(start, end).toMillis(), 0, 0, null, "1.0", "none", 1, 0L, 15_000L, 15_000L, null));
    }

    private static ClientViews.Live offline() {
        return new ClientViews.Live(false, "offline", null, List.of(), null, null, null, null, null, null, null, null,
                null, null, null);
    }

    @Test
    void eachSessionIsABarAtItsPlaceInTheWindowColouredByHowItEnded() {
        SessionTimeline timeline = SessionTimeline.of(List.of(
                ended("keepalive_timeout", NOW.minus(Duration.ofHours(6)), NOW.minus(Duration.ofHours(3))),
                ended("kicked", NOW.minus(Duration.ofHours(12)), NOW.minus(Duration.ofHours(6))),
                ended("agent_suspended", NOW.minus(Duration.ofHours(30)), NOW.minus(Duration.ofHours(18))),
                ended("peer_reset", NOW.minus(Duration.ofHours(40)), NOW.minus(Duration.ofHours(30)))),
                offline(), NOW, Duration.ofHours(24));
        assertThat(timeline.bars()).extracting(SessionTimeline.Bar::kind)
                .containsExactly("unexplained", "chosen", "paused");
        SessionTimeline.Bar dropped = timeline.bars().get(0);
        assertThat(dropped.x()).isEqualTo(75.0);
        assertThat(dropped.width()).isEqualTo(12.5);
        assertThat(dropped.label()).contains("2026-12-03 06:00:00 UTC").contains("ended: keepalive_timeout");
        // Begun before the window: drawn from its start; ended before it: not drawn at all.
        assertThat(timeline.bars().get(2).x()).isZero();
        assertThat(timeline.bars().get(2).width()).isEqualTo(25.0);
        assertThat(timeline.unexplained()).isEqualTo(1);
        assertThat(timeline.rttPoints()).as("no RTT recorded, no line").isEmpty();
    }

    @Test
    void theRttLineHasAPointPerSessionAtItsEndOldestFirst() {
        ConnectionEvent slow = new ConnectionEvent(1L, new SessionRecord("c", "s1", NOW.minus(Duration.ofHours(2)),
                NOW.minus(Duration.ofHours(1)), null, "peer_reset", null, 3_600_000, 0, 0, 1_000_000L, "1", "none", 1,
                0L, 15_000L, 15_000L, null));
        ConnectionEvent fast = new ConnectionEvent(1L, new SessionRecord("c", "s2", NOW.minus(Duration.ofHours(4)),
                NOW.minus(Duration.ofHours(3)), null, "peer_reset", null, 3_600_000, 0, 0, 1_000L, "1", "none", 1,
                0L, 15_000L, 15_000L, null));
        SessionTimeline timeline = SessionTimeline.of(List.of(slow, fast), offline(), NOW, Duration.ofHours(24));
        // 1 ms sits at 80 % down the log scale, 1 s at 20 %.
        assertThat(timeline.rttPoints()).isEqualTo("87.5,80.0 95.83,20.0");
    }

    @Test
    void aSessionOfSecondsIsStillVisibleEvenAtTheEndOfTheWindow() {
        SessionTimeline timeline = SessionTimeline.of(List.of(
                ended("kicked", NOW.minusSeconds(5), NOW.minusSeconds(2))), offline(), NOW, Duration.ofHours(24));
        SessionTimeline.Bar bar = timeline.bars().get(0);
        assertThat(bar.width()).isGreaterThan(0);
        assertThat(bar.x() + bar.width()).isLessThanOrEqualTo(100.0);
    }
}
