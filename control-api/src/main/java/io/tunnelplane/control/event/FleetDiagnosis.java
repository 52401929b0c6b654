package io.tunnelplane.control.event;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongFunction;
import java.util.stream.Collectors;

/**
 * Reads every client's recent sessions at once. Many clients dropping at one moment points at the server or its
 * network (or, recorded as such, a server that stalled); drops spread over time and clients point at each client's
 * own path, diagnosed one by one with {@link DisconnectDiagnosis}.
 */
public final class FleetDiagnosis {
    /** How much history the fleet's diagnosis reads: long enough for patterns, short enough to stay current. */
    public static final Duration WINDOW = Duration.ofHours(1);
    /** Drops this close together count as one moment. */
    static final Duration MOMENT = Duration.ofSeconds(10);
    /** At least this many clients dropping in one moment make a fleet-wide event. */
    static final int MANY_CLIENTS = 3;

    private FleetDiagnosis() {
    }

    /** A client with drops, and what its own diagnosis says. */
    public record ClientFinding(long clientId, String client, int drops, String pattern) {
    }

    /**
     * @param clients the clients with drops, most drops first
     * @param causes  every session end in the window, by cause
     */
    public record Result(String pattern, String summary, List<String> evidence, String recommendation,
            List<ClientFinding> clients, int sessionsConsidered, Map<String, Integer> causes) {
    }

    /**
     * @param newestFirst every client's events in the window, newest first
     * @param names       a client's name by id (null when it was deleted meanwhile)
     */
    public static Result diagnose(List<ConnectionEvent> newestFirst, LongFunction<String> names) {
        List<ConnectionEvent> drops = newestFirst.stream()
                .filter(e -> DisconnectDiagnosis.UNEXPECTED.contains(e.getCause())
                        || "server_stalled".equals(e.getCause()))
                .toList();
        List<ClientFinding> findings = findings(newestFirst, drops, names);
        Map<String, Integer> causes = new TreeMap<>();
        newestFirst.forEach(e -> causes.merge(e.getCause(), 1, Integer::sum));
        List<String> evidence = new ArrayList<>();
        evidence.add(newestFirst.size() + " sessions ended, " + drops.size() + " of them unexplained or by a stall, "
                + findings.size() + " clients affected");

        List<ConnectionEvent> stalled = drops.stream().filter(e -> "server_stalled".equals(e.getCause())).toList();
        if (stalled.stream().map(ConnectionEvent::getClientId).distinct().count() >= 2) {
            stalled.stream().limit(5).forEach(e -> evidence.add(e.getDisconnectedAt() + " " + name(names, e) + ": "
                    + e.getDetail()));
            return new Result("server_stalled", "The server stopped running for a while (a long GC pause, CPU"
                    + " starvation, a frozen VM) and " + distinctClients(stalled) + " clients' agents gave up on it"
                    + " at once.", evidence, "Look at the server host: tunnel_process_pause_last_seconds, CPU steal,"
                    + " memory pressure, VM snapshots. The agents were not at fault.", findings, newestFirst.size(),
                    causes);
        }

        List<ConnectionEvent> burst = largestMoment(drops);
        Set<Long> burstClients = burst.stream().map(ConnectionEvent::getClientId).collect(Collectors.toSet());
        if (burstClients.size() >= MANY_CLIENTS && burstClients.size() * 2 >= findings.size()) {
            evidence.add(burstClients.size() + " clients dropped within " + MOMENT.toSeconds() + " s of "
                    + burst.get(0).getDisconnectedAt() + ": " + new TreeSet<>(burst.stream().map(e -> name(names, e))
                    .toList()) + ", causes " + new TreeSet<>(burst.stream().map(ConnectionEvent::getCause).toList()));
            return new Result("server_side", "Many clients dropped at the same moment: the cause is on the server's"
                    + " side (its host, its network or a device in front of it), not on each agent's path.", evidence,
                    "Look at what happened on the server and its network at " + burst.get(0).getDisconnectedAt()
                            + ": the server's log, a firewall or load balancer reload, a link failover.", findings,
                    newestFirst.size(), causes);
        }
        if (!findings.isEmpty() && findings.stream().anyMatch(f -> !"none".equals(f.pattern()))) {
            findings.stream().limit(10).forEach(f -> evidence.add(f.client() + ": " + f.drops() + " drops, "
                    + f.pattern()));
            return new Result("per_client", "Drops are spread over time and clients: each client's own path explains"
                    + " its drops.", evidence, "Read each client's diagnosis (GET /api/v1/clients/{id}/diagnosis).",
                    findings, newestFirst.size(), causes);
        }
        return new Result("none", "No pattern across the fleet: nothing or too little to explain.", evidence,
                "Nothing to change.", findings, newestFirst.size(), causes);
    }

    private static List<ClientFinding> findings(List<ConnectionEvent> events, List<ConnectionEvent> drops,
            LongFunction<String> names) {
        Map<Long, List<ConnectionEvent>> byClient = events.stream()
                .collect(Collectors.groupingBy(ConnectionEvent::getClientId, LinkedHashMap::new, Collectors.toList()));
        Map<Long, Long> dropCounts = drops.stream()
                .collect(Collectors.groupingBy(ConnectionEvent::getClientId, Collectors.counting()));
        return dropCounts.entrySet().stream()
                .map(entry -> new ClientFinding(entry.getKey(), names.apply(entry.getKey()),
                        entry.getValue().intValue(),
                        DisconnectDiagnosis.diagnose(byClient.get(entry.getKey())).pattern()))
                .sorted(Comparator.comparingInt(ClientFinding::drops).reversed()
                        .thenComparing(ClientFinding::clientId))
                .toList();
    }

    /** The most drops that fall within one {@link #MOMENT}, oldest first. */
    private static List<ConnectionEvent> largestMoment(List<ConnectionEvent> drops) {
        List<ConnectionEvent> oldestFirst = drops.stream()
                .sorted(Comparator.comparing(ConnectionEvent::getDisconnectedAt)).toList();
        List<ConnectionEvent> best = List.of();
        int start = 0;
        for (int end = 0; end < oldestFirst.size(); end++) {
            Instant limit = oldestFirst.get(end).getDisconnectedAt().minus(MOMENT);
            while (oldestFirst.get(start).getDisconnectedAt().isBefore(limit)) {
                start++;
            }
            List<ConnectionEvent> window = oldestFirst.subList(start, end + 1);
            if (distinctClients(window) > distinctClients(best)) {
                best = List.copyOf(window);
            }
        }
        return best;
    }

    private static long distinctClients(List<ConnectionEvent> events) {
        return events.stream().map(ConnectionEvent::getClientId).distinct().count();
    }

    private static String name(LongFunction<String> names, ConnectionEvent e) {
        String name = names.apply(e.getClientId());
        return name == null ? "client " + e.getClientId() : name;
    }
}
