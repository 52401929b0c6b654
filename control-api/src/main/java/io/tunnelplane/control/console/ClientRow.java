package io.tunnelplane.control.console;

import io.tunnelplane.control.client.ClientViews;
import io.tunnelplane.control.event.ConnectionEvent;
import io.tunnelplane.control.runtime.LiveSession;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * One line of the clients page: who, whether its agent is there, on what, and, when it is not, why its last session
 * ended.
 *
 * @param lastCause the cause of its newest ended session, null when it never had one
 */
public record ClientRow(long id, String name, String description, String state, String agentVersion,
        int connections, String lastCause, Instant lastEndedAt) {

    /**
     * @param status  {@code all}, {@code online}, {@code offline}, {@code degraded} or {@code disabled}
     * @param version an agent version to match, or empty for any
     */
    static List<ClientRow> matching(List<ClientViews.Summary> clients, LongFunction<Optional<LiveSession>> live,
            Map<Long, ConnectionEvent> newest, String query, String status, String version) {
        String q = query.strip().toLowerCase(Locale.ROOT);
        return clients.stream()
                .filter(c -> q.isEmpty() || c.name().contains(q)
                        || (c.description() != null && c.description().toLowerCase(Locale.ROOT).contains(q))
                        || c.labels().entrySet().stream().anyMatch(l -> (l.getKey() + "=" + l.getValue()).contains(q)))
                .map(c -> of(c, live.apply(c.id()).orElse(null), newest.get(c.id())))
                .filter(row -> version.isBlank() || version.equals(row.agentVersion()))
                .filter(row -> switch (status) {
                    case "online" -> !row.state().equals("offline") && !row.state().equals("disabled");
                    case "offline", "degraded", "disabled" -> row.state().equals(status);
                    default -> true;
                })
                .toList();
    }

    static ClientRow of(ClientViews.Summary c, LiveSession live, ConnectionEvent newest) {
        return new ClientRow(c.id(), c.name(), c.description(), stateOf(c, live),
                live == null ? null : live.agentVersion(), live == null ? 0 : live.connections().size(),
                newest == null ? null : newest.getCause(), newest == null ? null : newest.getDisconnectedAt());
    }

    /** {@code disabled}, {@code offline}, or the live set's {@code healthy} or {@code degraded}. */
    static String stateOf(ClientViews.Summary c, LiveSession live) {
        return !c.enabled() ? "disabled" : live == null ? "offline" : live.state();
    }
}
