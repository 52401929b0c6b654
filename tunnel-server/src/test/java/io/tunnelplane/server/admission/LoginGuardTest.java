package io.tunnelplane.server.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.tunnelplane.server.config.TunnelServerProperties;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LoginGuardTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final LoginGuard guard = new LoginGuard(new TunnelServerProperties.Login(3, 2, 3, Duration.ofSeconds(1),
            Duration.ofSeconds(8)), now::get);
    private final InetAddress attacker = address("10.0.0.66");
    private final InetAddress agent = address("10.0.0.7");

    @Test
    void theAgentPortPausesAtMaxPendingAndResumesWellBelowIt() {
        LoginGuard roomy = new LoginGuard(new TunnelServerProperties.Login(20, 20, 3, Duration.ofSeconds(1),
                Duration.ofSeconds(8)), now::get);
        java.util.List<Boolean> told = new java.util.ArrayList<>();
        roomy.whenSaturated(told::add);
        java.util.List<LoginGuard.Ticket> tickets = new java.util.ArrayList<>();
        for (int i = 0; i < 19; i++) {
            tickets.add(roomy.admit(agent));
        }
        assertThat(told).isEmpty();
        tickets.add(roomy.admit(agent));
        assertThat(told).containsExactly(true);
        tickets.remove(0).release();
        assertThat(told).as("19 of 20 pending: not yet").containsExactly(true);
        tickets.remove(0).release();
        assertThat(told).as("18 of 20: nine tenths").containsExactly(true, false);
        tickets.forEach(LoginGuard.Ticket::release);
        assertThat(told).containsExactly(true, false);
    }

    @Test
    void lockoutStartsAtTheThresholdAndDoublesUpToTheMaximum() {
        guard.failed(attacker, "office");
        guard.failed(attacker, "office");
        assertThat(guard.admit(attacker).admission()).isEqualTo(LoginGuard.Admission.ADMITTED);
        guard.failed(attacker, "office");
        assertThat(guard.admit(attacker).admission()).isEqualTo(LoginGuard.Admission.LOCKED_OUT);
        assertThat(guard.lockedFor(attacker)).isEqualTo(Duration.ofSeconds(1));
        advance(Duration.ofMillis(1001));
        assertThat(guard.admit(attacker).admission()).isEqualTo(LoginGuard.Admission.ADMITTED);
        guard.failed(attacker, "office");
        assertThat(guard.lockedFor(attacker)).isEqualTo(Duration.ofSeconds(2));
        for (int i = 0; i < 10; i++) {
            guard.failed(attacker, "office");
        }
        assertThat(guard.lockedFor(attacker)).isEqualTo(Duration.ofSeconds(8));
    }

    @Test
    void aLockedClientStillLogsInFromAnAddressItUsedBefore() {
        guard.succeeded(agent, "office");
        for (int i = 0; i < 3; i++) {
            guard.failed(attacker, "office");
        }
        assertThat(guard.isLockedOut("office", agent)).isFalse();
        assertThat(guard.isLockedOut("office", attacker)).isTrue();
        assertThat(guard.isLockedOut("office", address("10.0.0.8"))).isTrue();
        assertThat(guard.isLockedOut("lab", address("10.0.0.8"))).isFalse();
        guard.succeeded(agent, "office");
        assertThat(guard.isLockedOut("office", attacker)).as("a good login does not lift the lock").isTrue();
    }

    @Test
    void unauthenticatedConnectionsAreBoundedPerAddressAndReleasedOnce() {
        LoginGuard.Ticket first = guard.admit(attacker);
        LoginGuard.Ticket second = guard.admit(attacker);
        assertThat(guard.admit(attacker).admission()).isEqualTo(LoginGuard.Admission.TOO_MANY_PENDING);
        LoginGuard.Ticket other = guard.admit(agent);
        assertThat(other.admission()).isEqualTo(LoginGuard.Admission.ADMITTED);
        assertThat(guard.admit(address("10.0.0.9")).admission()).as("3 in all").isEqualTo(
                LoginGuard.Admission.TOO_MANY_PENDING);
        first.release();
        first.release(); // idempotent: a second release must not free a slot that is still taken
        assertThat(guard.admit(attacker).admission()).isEqualTo(LoginGuard.Admission.ADMITTED);
        assertThat(guard.admit(attacker).admission()).isEqualTo(LoginGuard.Admission.TOO_MANY_PENDING);
        second.release();
        other.release();
    }

    @Test
    void oldFailuresAreForgotten() {
        guard.failed(attacker, "office");
        assertThat(guard.tracked()).isEqualTo(2);
        advance(Duration.ofSeconds(9));
        guard.prune();
        assertThat(guard.tracked()).isZero();
    }

    private void advance(Duration by) {
        now.addAndGet(by.toNanos());
    }

    private static InetAddress address(String ip) {
        try {
            return InetAddress.getByName(ip);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
