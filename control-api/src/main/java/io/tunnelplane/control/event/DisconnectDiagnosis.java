package io.tunnelplane.control.event;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads a client's recent sessions and says which of the known disconnect patterns fits, with the evidence:
 * deaths while idle (a middlebox dropping idle mappings, even when they come at one session age), cuts by the path
 * at a fixed session age (a lifetime cap), other kills at a fixed age (a settings mismatch), deaths while busy
 * (queuing), random deaths with rising RTT (a lossy link), or nothing to explain.
 * Heuristics over facts the engine records; it never guesses beyond them.
 */
public final class DisconnectDiagnosis {
    /** Causes an operator did not ask for: the ones worth explaining. */
    static final Set<String> UNEXPECTED = Set.of("keepalive_timeout", "peer_reset", "peer_closed", "write_stall",
            "protocol_error");
    private static final long BUSY_BYTES_PER_SECOND = 64 * 1024;

    private DisconnectDiagnosis() {
    }

    /** The verdict: a machine-readable pattern, plain words, the evidence and what to do. */
    public record Result(String pattern, String summary, List<String> evidence, String recommendation,
            int sessionsConsidered) {
    }

    /** @param newestFirst the client's recent events, newest first */
    public static Result diagnose(List<ConnectionEvent> newestFirst) {
        List<ConnectionEvent> drops = newestFirst.stream().filter(e -> UNEXPECTED.contains(e.getCause())).toList();
        List<String> evidence = new ArrayList<>();
        evidence.add(countsByCause(newestFirst));
        if (drops.size() < 2) {
            return new Result("none", drops.isEmpty()
                    ? "No unexplained disconnects: every session ended for a reason someone chose."
                    : "One unexplained disconnect: not a pattern yet.", evidence,
                    "Nothing to change.", newestFirst.size());
        }

        List<Long> durations = drops.stream().map(ConnectionEvent::getDurationMs).toList();
        List<ConnectionEvent> idle = drops.stream().filter(DisconnectDiagnosis::diedIdle).toList();
        // Same age every time is also what an idle tunnel behind an idle timer looks like: the silence before each
        // end tells the two apart, so idle deaths are read as such before the age is.
        boolean mostlyIdle = idle.size() * 2 >= drops.size() && idle.size() >= 2;
        if (drops.size() >= 3 && spread(durations) <= 0.05 && !mostlyIdle) {
            long age = median(durations) / 1000;
            evidence.add(drops.size() + " unexplained drops after " + durationsText(durations)
                    + ": the same session age, whatever the traffic");
            if (drops.stream().allMatch(e -> "peer_reset".equals(e.getCause())
                    || "peer_closed".equals(e.getCause()))) {
                evidence.add("each one ended by the path (a reset or close from the other side), not by a timeout");
                return new Result("session_lifetime_cap", "Sessions are cut " + age + " s after they start, every"
                        + " time, by something on the path: a load balancer, proxy or firewall with a fixed"
                        + " connection lifetime.", evidence,
                        "Find the device in front of the agent port with a " + age + " s connection or session"
                                + " timeout and raise it; the agent reconnects meanwhile.", newestFirst.size());
            }
            return new Result("settings_mismatch", "Sessions are ended " + age + " s after they start, every time."
                    + " Something counts session age or expects a heartbeat it never gets.", evidence,
                    "Compare timeout settings on every hop: the agent's --keepalive-*, tunnel.server.keepalive.*,"
                            + " and any proxy or load balancer in front of the agent port (idle or session"
                            + " timeouts of " + age + " s).", newestFirst.size());
        }

        if (mostlyIdle) {
            long time = idle.get(0).getKeepaliveTimeMs() == null ? 0 : idle.get(0).getKeepaliveTimeMs();
            idle.stream().limit(5).forEach(e -> evidence.add("session " + shortId(e) + ": " + e.getCause()
                    + " after " + e.getSilenceMs() / 1000 + " s of silence, " + rate(e) + " B/s on average"));
            return new Result("middlebox_idle_timeout", "Sessions die while idle: nothing arrived for longer than the"
                    + " probe interval and little data had moved. A NAT gateway or firewall dropping idle"
                    + " mappings fits this.", evidence,
                    "Set keepalive.time below the middlebox's idle timeout (try " + Math.max(1, time / 2000)
                            + " s), or measure it with `tunnel-agent doctor --probe-idle`.", newestFirst.size());
        }

        List<ConnectionEvent> busy = drops.stream().filter(e -> "write_stall".equals(e.getCause())
                || rate(e) >= BUSY_BYTES_PER_SECOND).toList();
        if (busy.size() * 2 >= drops.size() && !busy.isEmpty()) {
            busy.stream().limit(5).forEach(e -> evidence.add("session " + shortId(e) + ": " + e.getCause() + " while"
                    + " moving " + rate(e) / 1024 + " KiB/s, last RTT " + rttText(e)));
            return new Result("saturation", "Sessions die while busy: the path was saturated. Probe answers queue"
                    + " behind data (see the RTT), and a timeout means nothing at all arrived for the whole"
                    + " timeout.", evidence,
                    "Check the uplink for deep buffers (bufferbloat) or a throttle; raise keepalive.timeout above"
                            + " the worst RTT seen, or limit the proxy's bandwidth.", newestFirst.size());
        }

        List<Long> rtts = drops.stream().map(ConnectionEvent::getLastRttMicros).filter(r -> r != null).toList();
        if (rtts.size() >= 3 && risingTowardsNow(rtts)) {
            evidence.add("last RTTs, oldest to newest: " + rttsText(rtts));
            return new Result("lossy_link", "Drops come at random session ages while round-trip times keep rising:"
                    + " the path is losing packets or degrading.", evidence,
                    "Look at the agent host's link (Wi-Fi, mobile, VPN); the agent reconnects with backoff"
                            + " meanwhile. Compare with `tunnel-agent doctor` from the same host.",
                    newestFirst.size());
        }
        evidence.add("drop durations: " + durationsText(durations));
        return new Result("unclassified", drops.size() + " unexplained disconnects that fit no known pattern.",
                evidence, "Read the events' detail fields and the agent's log for the same times.",
                newestFirst.size());
    }

    private static boolean diedIdle(ConnectionEvent e) {
        Long silence = e.getSilenceMs();
        Long time = e.getKeepaliveTimeMs();
        return silence != null && time != null && silence >= time && rate(e) < BUSY_BYTES_PER_SECOND
                && ("keepalive_timeout".equals(e.getCause()) || "peer_reset".equals(e.getCause()));
    }

    private static long rate(ConnectionEvent e) {
        return (e.getBytesIn() + e.getBytesOut()) * 1000 / Math.max(1, e.getDurationMs());
    }

    /** (max - min) / median. */
    private static double spread(List<Long> values) {
        long min = values.stream().mapToLong(Long::longValue).min().orElse(0);
        long max = values.stream().mapToLong(Long::longValue).max().orElse(0);
        return (double) (max - min) / Math.max(1, median(values));
    }

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    /** {@code newestFirst} RTTs: at least doubled from the oldest to the newest, never falling on the way. */
    private static boolean risingTowardsNow(List<Long> newestFirst) {
        for (int i = 0; i + 1 < newestFirst.size(); i++) {
            if (newestFirst.get(i) < newestFirst.get(i + 1)) {
                return false;
            }
        }
        return newestFirst.get(0) >= 2 * newestFirst.get(newestFirst.size() - 1);
    }

    private static String countsByCause(List<ConnectionEvent> events) {
        Map<String, Integer> counts = new TreeMap<>();
        events.forEach(e -> counts.merge(e.getCause(), 1, Integer::sum));
        return events.size() + " recent sessions by cause: " + counts;
    }

    private static String durationsText(List<Long> durations) {
        return durations.stream().limit(8).map(d -> d / 1000 + " s").toList().toString();
    }

    private static String rttsText(List<Long> newestFirst) {
        List<Long> oldestFirst = new ArrayList<>(newestFirst);
        java.util.Collections.reverse(oldestFirst);
        return oldestFirst.stream().map(r -> r / 1000 + " ms").toList().toString();
    }

    private static String rttText(ConnectionEvent e) {
        return e.getLastRttMicros() == null ? "unknown" : e.getLastRttMicros() / 1000 + " ms";
    }

    private static String shortId(ConnectionEvent e) {
        return e.getSessionId().length() > 8 ? e.getSessionId().substring(0, 8) : e.getSessionId();
    }
}
