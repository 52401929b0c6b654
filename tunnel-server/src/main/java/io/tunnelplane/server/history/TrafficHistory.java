package io.tunnelplane.server.history;

import io.tunnelplane.control.runtime.TrafficSample;
import io.tunnelplane.server.session.AgentSession;
import io.tunnelplane.server.session.SessionGroup;
import io.tunnelplane.server.session.SessionRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Each client's traffic and worst RTT on this node, sampled every {@link #PERIOD} for the last {@link #WINDOW}: the
 * console's "over time" chart and its "traffic now". It reads counters the relays keep anyway and holds nothing per
 * visitor connection; a session that ends between two samples takes its last partial period with it.
 */
@Component
public class TrafficHistory {
    static final Duration PERIOD = Duration.ofSeconds(10);
    static final Duration WINDOW = Duration.ofMinutes(30);

    private final SessionRegistry registry;
    private final Clock clock;
    private final Map<String, SampleRing> byClient = new ConcurrentHashMap<>();
    /** Bytes (both ways) each client moved since the quota meter last took them. */
    private final Map<String, Long> moved = new ConcurrentHashMap<>();
    /** Each live session's relayed totals at the previous sample; the sampler's thread only. */
    private Map<String, long[]> previousTotals = Map.of();
    private volatile Instant previousSample;

    @Autowired
    public TrafficHistory(SessionRegistry registry) {
        this(registry, Clock.systemUTC());
    }

    TrafficHistory(SessionRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
    }

    @Scheduled(fixedRate = 10_000, initialDelay = 10_000)
    public void sample() {
        Instant now = clock.instant();
        double seconds = previousSample == null ? PERIOD.toMillis() / 1000.0
                : Math.max(1, Duration.between(previousSample, now).toMillis()) / 1000.0;
        Map<String, long[]> totals = new HashMap<>();
        for (SessionGroup group : registry.groups()) {
            long in = 0;
            long out = 0;
            Long worstRtt = null;
            for (AgentSession session : group.sessions()) {
                long[] total = {session.relayedIn(), session.relayedOut()};
                long[] before = previousTotals.getOrDefault(session.sessionId(), new long[2]);
                in += total[0] - before[0];
                out += total[1] - before[1];
                totals.put(session.sessionId(), total);
                if (session.lastRtt() != null) {
                    long rtt = session.lastRtt().toNanos() / 1_000;
                    worstRtt = worstRtt == null ? rtt : Math.max(worstRtt, rtt);
                }
            }
            byClient.computeIfAbsent(group.clientId(), client -> new SampleRing(capacity()))
                    .add(now, worstRtt, Math.round(in / seconds), Math.round(out / seconds));
            if (in + out > 0) {
                moved.merge(group.clientId(), in + out, Long::sum);
            }
        }
        previousTotals = totals;
        previousSample = now;
        Instant oldest = now.minus(WINDOW);
        byClient.values().removeIf(ring -> ring.newest().at().isBefore(oldest));
    }

    /** What each client moved since the last call (counted by the samples), taken away. */
    public Map<String, Long> takeMoved() {
        Map<String, Long> taken = new HashMap<>();
        for (String client : List.copyOf(moved.keySet())) {
            Long bytes = moved.remove(client);
            if (bytes != null) {
                taken.put(client, bytes);
            }
        }
        return taken;
    }

    /** Returns what {@link #takeMoved} took but could not be recorded. */
    public void giveBack(Map<String, Long> notRecorded) {
        notRecorded.forEach((client, bytes) -> moved.merge(client, bytes, Long::sum));
    }

    /** Oldest first; empty for a client that had no session here in the window. */
    public List<TrafficSample> of(String client) {
        SampleRing ring = byClient.get(client);
        return ring == null ? List.of() : ring.samples();
    }

    /** The newest period's traffic of every client, summed; null before the first sample. */
    public TrafficSample now() {
        Instant newest = previousSample;
        if (newest == null) {
            return null;
        }
        long in = 0;
        long out = 0;
        for (SampleRing ring : byClient.values()) {
            TrafficSample sample = ring.newest();
            if (sample != null && sample.at().getEpochSecond() == newest.getEpochSecond()) {
                in += sample.bytesInPerSecond();
                out += sample.bytesOutPerSecond();
            }
        }
        return new TrafficSample(newest, null, in, out);
    }

    private static int capacity() {
        return (int) (WINDOW.toSeconds() / PERIOD.toSeconds());
    }
}
