package io.tunnelplane.control.event;

import io.tunnelplane.control.runtime.LiveSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads a client's recent sessions and says which of the known disconnect patterns fits, with the evidence:
 * ends caused by a pause of the agent or of the server (recorded as such by the side that paused), short sessions
 * with failed reconnects between them (a flapping link), deaths while idle (a middlebox dropping idle mappings,
 * even when they come at one session age), cuts by the path at a fixed session age (a lifetime cap), other kills at
 * a fixed age (a settings mismatch), deaths while busy (queuing), random deaths with rising RTT (a lossy link), or
 * nothing to explain. Heuristics over facts the engine records; it never guesses beyond them. docs/keepalive.md
 * has the table of patterns with their false-positive risks.
 */
public final class DisconnectDiagnosis {
    /** Causes an operator did not ask for: the ones worth explaining. */
    static final Set<String> UNEXPECTED = Set.of("keepalive_timeout", "peer_reset", "peer_closed", "write_stall",
            "protocol_error");
    /** Every pattern a diagnosis can name, for metrics that show each one (also when no client fits it). */
    public static final List<String> PATTERNS = List.of("none", "agent_suspended", "server_stalled", "flapping_link",
            "session_lifetime_cap", "settings_mismatch", "lossy_link", "middlebox_idle_timeout", "saturation",
            "unclassified");
    /** Ends explained by a pause of one side: not the path's fault, but worth showing. */
    static final Set<String> PAUSED = Set.of("agent_suspended", "server_stalled");
    private static final long BUSY_BYTES_PER_SECOND = 64 * 1024;
    /** Sessions this short between failed reconnects are a link going up and down, not a session-age limit. */
    private static final long FLAP_SESSION_MS = 60_000;
    private static final long LOSSY_RETRANSMITS = 3;
    /**
     * No NAT or firewall forgets a live TCP mapping within a second (RFC 5382 asks for hours, carriers use tens of
     * seconds): idle sessions that went silent while probing more often than this lost their probes.
     */
    private static final long SHORTEST_IDLE_TIMER_MS = 1_000;

    private DisconnectDiagnosis() {
    }

    /** Whether a session that ended with {@code cause} is a drop worth explaining (nobody chose it). */
    public static boolean isUnexplained(String cause) {
        return UNEXPECTED.contains(cause);
    }

    /** Whether {@code cause} says a pause of the agent or of the server ended the session. */
    public static boolean isPause(String cause) {
        return PAUSED.contains(cause);
    }

    /**
     * The verdict: a machine-readable pattern, plain words, the evidence and what to do.
     *
     * @param idleLimit what the evidence says about the path's idle limit, null when it says nothing
     */
    public record Result(String pattern, String summary, List<String> evidence, String recommendation,
            int sessionsConsidered, IdleLimit idleLimit) {
        Result(String pattern, String summary, List<String> evidence, String recommendation, int sessionsConsidered) {
            this(pattern, summary, evidence, recommendation, sessionsConsidered, null);
        }
    }

    /**
     * The path's idle limit as far as the events bracket it: idle sessions died when probing every
     * {@code belowMs} (so the limit is shorter), and, when known, lived long while probing every {@code aboveMs}.
     */
    public record IdleLimit(Long aboveMs, long belowMs) {
        String words() {
            return aboveMs == null ? "under " + belowMs / 1000.0 + " s"
                    : "between " + aboveMs / 1000.0 + " s and " + belowMs / 1000.0 + " s";
        }
    }

    /**
     * The diagnosis of the events, with what the client's live sessions show now: their RTT and how long a probe
     * has waited (on a saturated path both grow, and that is not a fault).
     */
    public static Result diagnose(List<ConnectionEvent> newestFirst, LiveSession live) {
        Result result = diagnose(newestFirst);
        if (live == null) {
            return result;
        }
        List<String> evidence = new ArrayList<>(result.evidence());
        live.connections().stream().filter(c -> c.probeWaiting() != null).forEach(c -> evidence.add(
                "live session " + shortId(c.sessionId()) + ": last RTT "
                        + (c.lastRtt() == null ? "not measured yet" : c.lastRtt().toNanos() / 1_000 + " us")
                        + ", " + (c.probeWaiting().isZero() ? "no probe waiting"
                        : "a probe waiting " + c.probeWaiting().toMillis() + " ms for its answer")
                        + ", " + c.activeStreams() + " visitor connections"));
        return new Result(result.pattern(), result.summary(), evidence, result.recommendation(),
                result.sessionsConsidered(), result.idleLimit());
    }

    /** @param newestFirst the client's recent events, newest first */
    public static Result diagnose(List<ConnectionEvent> newestFirst) {
        List<ConnectionEvent> drops = newestFirst.stream().filter(e -> UNEXPECTED.contains(e.getCause())).toList();
        List<String> evidence = new ArrayList<>();
        evidence.add(countsByCause(newestFirst));
        Result paused = pauses(newestFirst, drops, evidence);
        if (paused != null) {
            return paused;
        }
        if (drops.size() < 2) {
            return new Result("none", drops.isEmpty()
                    ? "No unexplained disconnects: every session ended for a reason someone chose."
                    : "One unexplained disconnect: not a pattern yet.", evidence,
                    "Nothing to change.", newestFirst.size());
        }

        Result flapping = flapping(newestFirst, drops, evidence);
        if (flapping != null) {
            return flapping;
        }
        List<Long> durations = drops.stream().map(ConnectionEvent::getDurationMs).toList();
        List<ConnectionEvent> idle = drops.stream().filter(DisconnectDiagnosis::diedIdle).toList();
        // Same age every time is also what an idle tunnel behind an idle timer looks like: the silence before each
        // end tells the two apart, so idle deaths are read as such before the age is.
        boolean mostlyIdle = idle.size() * 2 >= drops.size() && idle.size() >= 2;
        if (drops.size() >= 3 && sameAge(durations) && !mostlyIdle) {
            long age = Math.round(median(durations) / 1000.0);
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

        // Before idle deaths: a dead path always leaves silence behind, but an idle timer neither makes RTT climb
        // nor makes the kernel retransmit while the path still answers.
        List<Long> rtts = drops.stream().map(ConnectionEvent::getLastRttMicros).filter(r -> r != null).toList();
        boolean rising = rtts.size() >= 3 && risingTowardsNow(rtts);
        List<ConnectionEvent> retransmitting = drops.stream().filter(DisconnectDiagnosis::lostPackets).toList();
        boolean probesLost = mostlyIdle && drops.size() >= 3 && idle.stream()
                .allMatch(e -> e.getKeepaliveTimeMs() < SHORTEST_IDLE_TIMER_MS);
        if (rising || probesLost || (drops.size() >= 3 && retransmitting.size() * 2 >= drops.size())) {
            if (rising) {
                evidence.add("last RTTs, oldest to newest: " + rttsText(rtts));
            }
            if (probesLost) {
                evidence.add(idle.size() + " sessions went silent although they probed every "
                        + idle.stream().mapToLong(ConnectionEvent::getKeepaliveTimeMs).max().orElseThrow() / 1000.0
                        + " s or more often: no idle timer is that"
                        + " short, so the probes or their answers were lost");
            }
            drops.stream().filter(e -> e.getRetransmits() != null && e.getRetransmits() > 0).limit(5)
                    .forEach(e -> evidence.add("session " + shortId(e) + ": " + e.getRetransmits()
                            + " segments retransmitted in " + e.getDurationMs() / 1000
                            + " s while the path still answered"));
            evidence.add("drop durations: " + durationsText(durations));
            return new Result("lossy_link", "Drops come at random session ages on a path that "
                    + (rising ? "keeps getting slower" : "keeps losing packets") + ": the link is lossy or degrading.",
                    evidence,
                    "Look at the agent host's link (Wi-Fi, mobile, VPN); the agent reconnects with backoff"
                            + " meanwhile. Compare with `tunnel-agent doctor` from the same host.",
                    newestFirst.size());
        }

        if (mostlyIdle) {
            idle.stream().limit(5).forEach(e -> evidence.add("session " + shortId(e) + ": " + e.getCause()
                    + " after " + e.getSilenceMs() / 1000 + " s of silence, " + rate(e) + " B/s on average"));
            IdleLimit limit = idleLimit(newestFirst, idle);
            evidence.add("the path's idle limit is " + limit.words() + ": idle sessions probing every "
                    + limit.belowMs() / 1000.0 + " s died" + (limit.aboveMs() == null ? ""
                    : ", sessions probing every " + limit.aboveMs() / 1000.0 + " s lived on"));
            long suggested = limit.aboveMs() != null ? limit.aboveMs() : limit.belowMs() / 2;
            return new Result("middlebox_idle_timeout", "Sessions die while idle: nothing arrived for longer than the"
                    + " probe interval and little data had moved. A NAT gateway or firewall dropping idle"
                    + " mappings after " + limit.words() + " fits this.", evidence,
                    "Set keepalive.time below the middlebox's idle timeout (try " + Math.max(1, suggested / 1000)
                            + " s), or measure it with `tunnel-agent doctor --probe-idle`.", newestFirst.size(),
                    limit);
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

        evidence.add("drop durations: " + durationsText(durations));
        return new Result("unclassified", drops.size() + " unexplained disconnects that fit no known pattern.",
                evidence, "Read the events' detail fields and the agent's log for the same times.",
                newestFirst.size());
    }

    /** Ends that a pause of the agent or the server explains, when they are most of what needs explaining. */
    private static Result pauses(List<ConnectionEvent> events, List<ConnectionEvent> drops, List<String> evidence) {
        List<ConnectionEvent> paused = events.stream().filter(e -> PAUSED.contains(e.getCause())).toList();
        if (paused.isEmpty() || paused.size() < drops.size()) {
            return null;
        }
        long suspended = paused.stream().filter(e -> "agent_suspended".equals(e.getCause())).count();
        paused.stream().limit(5).forEach(e -> evidence.add("session " + shortId(e) + ": " + e.getCause()
                + (e.getDetail() == null ? "" : " (" + e.getDetail() + ")")));
        if (suspended * 2 >= paused.size()) {
            return new Result("agent_suspended", "Sessions ended because the agent's host slept or its process was"
                    + " frozen; the path was not at fault.", evidence,
                    "Nothing to change on the network. If the host should stay reachable, keep it from sleeping"
                            + " (power settings) or run the agent on an always-on host.", events.size());
        }
        return new Result("server_stalled", "Sessions ended because the server did not run for a while (a long GC"
                + " pause, CPU starvation or a frozen VM) and the agent gave up on it; the path was not at fault.",
                evidence, "Look at the server's tunnel_process_pause_last_seconds and its host (CPU steal, memory"
                        + " pressure, a VM snapshot); GET /api/v1/diagnosis shows whether many clients dropped at"
                        + " once.",
                events.size());
    }

    /**
     * Short sessions with failed connection attempts between them: the link itself goes up and down. Each event
     * records the attempts its own session took, so a flap shows in the session after the drop.
     */
    private static Result flapping(List<ConnectionEvent> newestFirst, List<ConnectionEvent> drops,
            List<String> evidence) {
        if (drops.size() < 3 || median(drops.stream().map(ConnectionEvent::getDurationMs).toList()) > FLAP_SESSION_MS) {
            return null;
        }
        List<ConnectionEvent> afterDrops = newestFirst.stream()
                .filter(e -> UNEXPECTED.contains(e.getPreviousCause())).toList();
        List<ConnectionEvent> struggled = afterDrops.stream()
                .filter(e -> e.getReconnectAttempts() != null && e.getReconnectAttempts() >= 2).toList();
        if (struggled.size() < 2 || struggled.size() * 2 < afterDrops.size()
                || drops.stream().filter(DisconnectDiagnosis::lostPackets).count() * 2 >= drops.size()) {
            return null; // a link that loses packets while up is lossy; a flapping one works until it goes down
        }
        evidence.add(drops.size() + " unexplained drops after " + durationsText(
                drops.stream().map(ConnectionEvent::getDurationMs).toList()));
        evidence.add(struggled.size() + " of " + afterDrops.size() + " reconnects after a drop needed several"
                + " attempts: " + struggled.stream().limit(8).map(e -> e.getReconnectAttempts().toString()).toList());
        return new Result("flapping_link", "The link goes up and down: sessions last seconds, and between them the"
                + " server cannot be reached at all for a while.", evidence,
                "Look at the agent host's link (Wi-Fi roaming, a mobile modem, a VPN reconnecting, a failing cable"
                        + " or port); the agent reconnects with backoff meanwhile.", newestFirst.size());
    }

    /**
     * Brackets the idle limit: the shortest probe interval at which idle sessions died is above it; the longest
     * shorter interval at which a session lived well past it (ten intervals, ending for another reason) is below.
     */
    private static IdleLimit idleLimit(List<ConnectionEvent> events, List<ConnectionEvent> idle) {
        long below = idle.stream().mapToLong(ConnectionEvent::getKeepaliveTimeMs).min().orElseThrow();
        Long above = events.stream()
                .filter(e -> e.getKeepaliveTimeMs() != null && e.getKeepaliveTimeMs() < below
                        && e.getDurationMs() >= 10 * e.getKeepaliveTimeMs() && !diedIdle(e))
                .map(ConnectionEvent::getKeepaliveTimeMs).max(Long::compare).orElse(null);
        return new IdleLimit(above, below);
    }

    /**
     * The kernel retransmitted at least {@value #LOSSY_RETRANSMITS} segments, and one a minute, while the path still
     * answered probes: a working path that loses packets (a healthy one retransmits a handful an hour).
     */
    private static boolean lostPackets(ConnectionEvent e) {
        Long retransmits = e.getRetransmits();
        return retransmits != null && retransmits >= LOSSY_RETRANSMITS
                && retransmits * 60_000 >= Math.max(1, e.getDurationMs());
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

    /**
     * Within 5% of each other, or half a second for short sessions (login and the path's own timer granularity
     * blur the age by that much).
     */
    private static boolean sameAge(List<Long> values) {
        long min = values.stream().mapToLong(Long::longValue).min().orElse(0);
        long max = values.stream().mapToLong(Long::longValue).max().orElse(0);
        return max - min <= Math.max(500, median(values) / 20);
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
        return shortId(e.getSessionId());
    }

    private static String shortId(String sessionId) {
        return sessionId.length() > 8 ? sessionId.substring(0, 8) : sessionId;
    }
}
