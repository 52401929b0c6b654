package io.tunnelplane.control.console;

import io.tunnelplane.control.client.ClientViews;
import io.tunnelplane.control.runtime.LiveSession;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.LongFunction;

/** One line of the clients page: who, whether its agent is there, and on what. */
public record ClientRow(long id, String name, String description, boolean enabled, String state,
        String agentVersion, int connections, Instant lastSeenAt) {

    /** {@code all}, {@code online}, {@code offline}, {@code degraded} or {@code disabled}. */
    static List<ClientRow> matching(List<ClientViews.Summary> clients, LongFunction<Optional<LiveSession>> live,
            String query, String status) {
        String q = query.strip().toLowerCase(Locale.ROOT);
        return clients.stream()
                .filter(c -> q.isEmpty() || c.name().contains(q)
                        || (c.description() != null && c.description().toLowerCase(Locale.ROOT).contains(q))
                        || c.labels().entrySet().stream().anyMatch(l -> (l.getKey() + "=" + l.getValue()).contains(q)))
                .map(c -> of(c, live.apply(c.id()).orElse(null)))
                .filter(row -> switch (status) {
                    case "online" -> !row.state().equals("offline") && !row.state().equals("disabled");
                    case "offline", "degraded", "disabled" -> row.state().equals(status);
                    default -> true;
                })
                .toList();
    }

    static ClientRow of(ClientViews.Summary c, LiveSession live) {
        String state = !c.enabled() ? "disabled" : live == null ? "offline" : live.state();
        return new ClientRow(c.id(), c.name(), c.description(), c.enabled(), state,
                live == null ? null : live.agentVersion(), live == null ? 0 : live.connections().size(),
                c.lastSeenAt());
    }
}
