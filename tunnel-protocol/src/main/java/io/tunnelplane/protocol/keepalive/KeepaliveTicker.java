package io.tunnelplane.protocol.keepalive;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One timer per event loop for the keepalive of every session on it. A timer per session put ten thousand entries
 * in each loop's scheduled-task queue and cost a queue operation per session per tick (docs/benchmarks.md); here a
 * loop wakes every quarter of its members' shortest tick and looks only at the members that are due. Each member
 * keeps its own tick, so it is evaluated at most a quarter tick late. Confined to its loop's thread.
 */
final class KeepaliveTicker {
    private static final Map<EventExecutor, KeepaliveTicker> BY_LOOP = new ConcurrentHashMap<>();

    private final EventExecutor loop;
    private final List<Member> members = new ArrayList<>();
    private ScheduledFuture<?> timer;
    private long periodNanos = Long.MAX_VALUE;

    private KeepaliveTicker(EventExecutor loop) {
        this.loop = loop;
    }

    /** Something evaluated once per tick. */
    interface Tickable {
        void onTick();
    }

    /** A registration; {@link #cancel()} it when the session ends. Only used on the loop's thread. */
    static final class Member {
        private final KeepaliveTicker ticker;
        private final Tickable target;
        private final long tickNanos;
        private long due;
        private int index = -1;

        private Member(KeepaliveTicker ticker, Tickable target, long tickNanos, long due) {
            this.ticker = ticker;
            this.target = target;
            this.tickNanos = tickNanos;
            this.due = due;
        }

        void cancel() {
            ticker.remove(this);
        }
    }

    /** Registers {@code target} to tick every {@code tickNanos} on {@code loop}; call on that loop's thread. */
    static Member join(EventExecutor loop, Tickable target, long tickNanos) {
        assert loop.inEventLoop();
        KeepaliveTicker ticker = BY_LOOP.computeIfAbsent(loop, KeepaliveTicker::new);
        return ticker.add(target, tickNanos);
    }

    /** Loops with a live timer, for tests. */
    static int activeLoops() {
        return BY_LOOP.size();
    }

    private Member add(Tickable target, long tickNanos) {
        Member member = new Member(this, target, tickNanos, System.nanoTime() + tickNanos);
        member.index = members.size();
        members.add(member);
        long period = Math.max(1, tickNanos / 4);
        if (period < periodNanos) {
            periodNanos = period;
            if (timer != null) {
                timer.cancel(false);
            }
            timer = loop.scheduleAtFixedRate(this::run, period, period, TimeUnit.NANOSECONDS);
        }
        return member;
    }

    private void remove(Member member) {
        int index = member.index;
        if (index < 0) {
            return;
        }
        // Swap with the last member: removal in constant time, order does not matter.
        Member last = members.remove(members.size() - 1);
        if (last != member) {
            members.set(index, last);
            last.index = index;
        }
        member.index = -1;
        if (members.isEmpty()) {
            timer.cancel(false);
            timer = null;
            periodNanos = Long.MAX_VALUE;
            BY_LOOP.remove(loop, this);
        }
    }

    private void run() {
        long now = System.nanoTime();
        // Backwards: a member's tick may end its session and remove it, which moves the last member into its slot.
        for (int i = members.size() - 1; i >= 0; i--) {
            if (i >= members.size()) {
                continue;
            }
            Member member = members.get(i);
            if (now - member.due >= 0) {
                member.due = now + member.tickNanos;
                member.target.onTick();
            }
        }
    }
}
