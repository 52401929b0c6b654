package io.tunnelplane.control.console;

import io.tunnelplane.control.client.ClientViews;
import io.tunnelplane.control.event.FleetDiagnosis;
import io.tunnelplane.control.runtime.LiveSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.LongFunction;

/**
 * The overview page: how many agents are healthy, degraded or away, what the tunnels carry now, why sessions
 * ended in the last day, and which clients need a look.
 *
 * @param dropsByCause   sessions ended in the last 24 h, by cause
 * @param attention      clients whose recent drops fit a pattern, or whose agent cannot reach a local service
 */
public record Overview(int healthy, int degraded, int offline, int disabled, int sessions, int streams,
        Map<String, Integer> dropsByCause, String fleetPattern, String fleetSummary, List<Attention> attention) {

    /** A client that needs a look, and why. */
    public record Attention(long clientId, String client, String why) {
    }

    /**
     * @param fleet         the fleet's diagnosis, or null for the counts alone (the part that refreshes itself)
     * @param serverVersion this node's version: agents of another one are worth a look (null: unknown)
     */
    static Overview of(List<ClientViews.Summary> clients, LongFunction<Optional<LiveSession>> live,
            FleetDiagnosis.Result fleet, String serverVersion) {
        int healthy = 0;
        int degraded = 0;
        int offline = 0;
        int disabled = 0;
        int sessions = 0;
        int streams = 0;
        List<Attention> attention = new ArrayList<>();
        if (fleet != null) {
            fleet.clients().stream().filter(f -> !"none".equals(f.pattern())).forEach(f -> attention.add(
                    new Attention(f.clientId(), f.client(), f.drops() + " drops in the last day: " + f.pattern())));
        }
        for (ClientViews.Summary client : clients) {
            LiveSession session = live.apply(client.id()).orElse(null);
            if (session != null && !session.unreachable().isEmpty()) {
                attention.add(new Attention(client.id(), client.name(), "its agent cannot reach "
                        + session.unreachable().size() + " local service(s): "
                        + String.join("; ", session.unreachable().values())));
            }
            if (session != null && serverVersion != null && session.agentVersion() != null
                    && !serverVersion.equals(session.agentVersion())) {
                attention.add(new Attention(client.id(), client.name(), "its agent runs version "
                        + session.agentVersion() + ", this server " + serverVersion));
            }
            switch (ClientRow.stateOf(client, session)) {
                case "disabled" -> disabled++;
                case "offline" -> offline++;
                case "degraded" -> degraded++;
                default -> healthy++;
            }
            if (session != null) {
                sessions += session.connections().size();
                streams += session.connections().stream().mapToInt(c -> Math.max(0, c.activeStreams())).sum();
            }
        }
        return new Overview(healthy, degraded, offline, disabled, sessions, streams,
                fleet == null ? Map.of() : new TreeMap<>(fleet.causes()), fleet == null ? null : fleet.pattern(),
                fleet == null ? null : fleet.summary(), attention.stream().limit(20).toList());
    }
}
