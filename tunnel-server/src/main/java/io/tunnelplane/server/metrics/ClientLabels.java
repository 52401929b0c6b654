package io.tunnelplane.server.metrics;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which client label a per-client series gets: the client's own name for the first {@code limit} clients this
 * node has seen (they keep it for the process's life, so a series never changes hands), {@value #OTHER} for all
 * further clients, whose values are summed. A fleet of 10 000 agents thus costs at most {@code limit} series per
 * per-client metric, and the Prometheus page stays small and fast.
 */
final class ClientLabels {
    static final String OTHER = "_other";

    private final int limit;
    private final Set<String> named = ConcurrentHashMap.newKeySet();

    ClientLabels(int limit) {
        this.limit = limit;
    }

    String of(String client) {
        if (named.contains(client)) {
            return client;
        }
        synchronized (this) {
            if (named.size() < limit) {
                named.add(client);
                return client;
            }
        }
        return named.contains(client) ? client : OTHER;
    }
}
