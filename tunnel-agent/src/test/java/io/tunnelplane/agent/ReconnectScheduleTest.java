package io.tunnelplane.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.tunnelplane.protocol.DisconnectCause;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The wait before each reconnect, with the longest jitter (random = 1) on a fake clock. */
class ReconnectScheduleTest {
    private long now;
    private final ReconnectSchedule schedule = new ReconnectSchedule(
            new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), () -> 1.0), Duration.ofMinutes(1),
            () -> now);

    private static final SessionOutcome REFUSED = new SessionOutcome(DisconnectCause.CONNECT_FAILED, false, null,
            "Connection refused");

    private static SessionOutcome ended(DisconnectCause cause, Duration window) {
        return new SessionOutcome(cause, true, null, "", window);
    }

    @Test
    void anUnannouncedOutageBacksOffToTheCap() {
        schedule.next(ended(DisconnectCause.KEEPALIVE_TIMEOUT, Duration.ZERO), Duration.ofMinutes(5));
        Duration last = Duration.ZERO;
        for (int i = 0; i < 10; i++) {
            last = schedule.next(REFUSED, Duration.ZERO);
        }
        assertThat(last).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void whileAnAnnouncedRestartLastsRetriesStayWithinTheServersWindow() {
        assertThat(schedule.next(ended(DisconnectCause.SERVER_SHUTDOWN, Duration.ofSeconds(10)), Duration.ofMinutes(5)))
                .as("the first reconnect is spread over the window").isEqualTo(Duration.ofSeconds(10));
        for (int i = 0; i < 20; i++) { // the server takes a while to come back: refused, again and again
            now += Duration.ofSeconds(10).toNanos();
            assertThat(schedule.next(REFUSED, Duration.ZERO)).isLessThanOrEqualTo(Duration.ofSeconds(10));
        }
        // Past the patience the usual backoff takes over: the server may not be coming back.
        now += ReconnectSchedule.ANNOUNCED_RESTART_PATIENCE.toNanos();
        assertThat(schedule.next(REFUSED, Duration.ZERO)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void anAnnouncedRestartWithATinyWindowStillWaitsAtLeastTheBase() {
        schedule.next(ended(DisconnectCause.SERVER_SHUTDOWN, Duration.ofMillis(1)), Duration.ofMinutes(5));
        for (int i = 0; i < 10; i++) {
            schedule.next(REFUSED, Duration.ZERO);
        }
        assertThat(schedule.next(REFUSED, Duration.ZERO)).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void aShortSessionCountsAsAFailureAndALongOneResetsTheBackoff() {
        schedule.next(REFUSED, Duration.ZERO);
        schedule.next(REFUSED, Duration.ZERO);
        assertThat(schedule.next(ended(DisconnectCause.PEER_RESET, Duration.ZERO), Duration.ofSeconds(2)))
                .isEqualTo(Duration.ofSeconds(2));
        assertThat(schedule.next(ended(DisconnectCause.PEER_RESET, Duration.ZERO), Duration.ofMinutes(2)))
                .as("stable: prompt").isEqualTo(Duration.ofMillis(500));
    }
}
