package io.tunnelplane.protocol.keepalive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The shared keepalive timer on a real event loop: every member ticks at its own pace, and leaves cleanly. */
class KeepaliveTickerTest {
    private final EventLoop loop = new DefaultEventLoop();

    @AfterEach
    void stop() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private KeepaliveTicker.Member join(AtomicInteger ticks, Duration tick) {
        return loop.submit(() -> KeepaliveTicker.join(loop, ticks::incrementAndGet, tick.toNanos())).syncUninterruptibly()
                .getNow();
    }

    @Test
    void membersTickAtTheirOwnIntervalOnOneTimer() {
        AtomicInteger fast = new AtomicInteger();
        AtomicInteger slow = new AtomicInteger();
        long started = System.nanoTime();
        join(slow, Duration.ofMillis(200));
        join(fast, Duration.ofMillis(40));
        await().atMost(Duration.ofSeconds(5)).until(() -> slow.get() >= 5);
        double elapsedMillis = (System.nanoTime() - started) / 1e6;
        // Each ticks once per own interval, at most a quarter interval late: never faster than its interval.
        assertThat(slow.get()).isLessThanOrEqualTo((int) (elapsedMillis / 200) + 1);
        assertThat(fast.get()).isGreaterThanOrEqualTo(2 * slow.get())
                .isLessThanOrEqualTo((int) (elapsedMillis / 40) + 1);
    }

    @Test
    void aCancelledMemberStopsTickingAndTheLastOneTakesTheTimerAway() {
        int before = KeepaliveTicker.activeLoops();
        List<AtomicInteger> counters = new ArrayList<>();
        List<KeepaliveTicker.Member> members = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            AtomicInteger ticks = new AtomicInteger();
            counters.add(ticks);
            members.add(join(ticks, Duration.ofMillis(30)));
        }
        assertThat(KeepaliveTicker.activeLoops()).isEqualTo(before + 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> counters.stream().allMatch(c -> c.get() >= 2));

        KeepaliveTicker.Member gone = members.get(17);
        loop.submit(gone::cancel).syncUninterruptibly();
        int frozen = counters.get(17).get();
        AtomicInteger neighbour = counters.get(999);
        int neighbourBefore = neighbour.get();
        await().atMost(Duration.ofSeconds(5)).until(() -> neighbour.get() >= neighbourBefore + 3);
        assertThat(counters.get(17).get()).isEqualTo(frozen);

        loop.submit(() -> members.forEach(KeepaliveTicker.Member::cancel)).syncUninterruptibly();
        assertThat(KeepaliveTicker.activeLoops()).isEqualTo(before);
    }
}
