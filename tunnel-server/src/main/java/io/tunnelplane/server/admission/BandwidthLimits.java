package io.tunnelplane.server.admission;

import io.tunnelplane.control.runtime.ProxyDefinition;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * The bandwidth limits of proxies and clients, each direction on its own: a proxy's limit is shared by its visitor
 * connections on every session, a client's by all its proxies. Relays read later rather than buffer (autoRead
 * off), so a limited proxy holds no more memory than an unlimited one and the session's other proxies keep their
 * speed; datagrams over the limit are dropped. Limits are replaced whenever the control plane hands the engine a
 * client's proxies; running connections follow at once (their buckets are the same objects).
 */
@Component
public class BandwidthLimits {
    private final Map<String, ClientBuckets> byClient = new ConcurrentHashMap<>();

    private static final class ClientBuckets {
        final Buckets own = new Buckets();
        final Map<Long, Buckets> proxies = new ConcurrentHashMap<>();
    }

    /** One limit, as a bucket per direction: from visitors and to them. */
    private static final class Buckets {
        final TokenBucket fromVisitors = new TokenBucket(0);
        final TokenBucket toVisitors = new TokenBucket(0);

        void rate(long bytesPerSecond) {
            fromVisitors.rate(bytesPerSecond);
            toVisitors.rate(bytesPerSecond);
        }

        TokenBucket of(boolean fromVisitor) {
            return fromVisitor ? fromVisitors : toVisitors;
        }
    }

    /** The limits {@code proxies} (a client's complete list) carry. */
    public void update(String client, List<ProxyDefinition> proxies) {
        Map<Long, Long> limits = new HashMap<>();
        proxies.forEach(proxy -> limits.put(proxy.id(), proxy.bandwidthLimit()));
        update(client, proxies.isEmpty() ? 0 : proxies.get(0).clientBandwidthLimit(), limits);
    }

    /**
     * @param clientLimit bytes per second each way for all of the client's proxies together, 0 for none
     * @param proxyLimits each proxy's own bytes per second each way, 0 for none
     */
    public void update(String client, long clientLimit, Map<Long, Long> proxyLimits) {
        ClientBuckets buckets = byClient.computeIfAbsent(client, name -> new ClientBuckets());
        buckets.own.rate(clientLimit);
        proxyLimits.forEach((proxy, limit) -> buckets.proxies.computeIfAbsent(proxy, id -> new Buckets()).rate(limit));
        buckets.proxies.keySet().retainAll(proxyLimits.keySet());
    }

    /** The pacing of one visitor connection (or one UDP port) of the proxy. */
    public Pacer pacer(String client, long proxyId) {
        ClientBuckets buckets = byClient.computeIfAbsent(client, name -> new ClientBuckets());
        return new Pacer(buckets.proxies.computeIfAbsent(proxyId, id -> new Buckets()), buckets.own);
    }

    /** Counts a connection's bytes against its proxy's and its client's limits, and says when to read again. */
    public static final class Pacer {
        private final Buckets proxy;
        private final Buckets client;

        private Pacer(Buckets proxy, Buckets client) {
            this.proxy = proxy;
            this.client = client;
        }

        /** Whether a limit applies now, either way. */
        public boolean limited() {
            return proxy.fromVisitors.rate() > 0 || client.fromVisitors.rate() > 0;
        }

        public void used(boolean fromVisitor, long bytes) {
            TokenBucket own = proxy.of(fromVisitor);
            TokenBucket shared = client.of(fromVisitor);
            if (own.rate() <= 0 && shared.rate() <= 0) {
                return; // the common case costs two volatile reads, no clock
            }
            long now = System.nanoTime();
            own.use(bytes, now);
            shared.use(bytes, now);
        }

        public long delayNanos(boolean fromVisitor) {
            TokenBucket own = proxy.of(fromVisitor);
            TokenBucket shared = client.of(fromVisitor);
            if (own.rate() <= 0 && shared.rate() <= 0) {
                return 0;
            }
            long now = System.nanoTime();
            return Math.max(own.delayNanos(now), shared.delayNanos(now));
        }

        /** For a datagram: whether it may pass now (then counted); one over the limit is to be dropped. */
        public boolean tryUse(boolean fromVisitor, long bytes) {
            TokenBucket own = proxy.of(fromVisitor);
            TokenBucket shared = client.of(fromVisitor);
            if (own.rate() <= 0 && shared.rate() <= 0) {
                return true;
            }
            long now = System.nanoTime();
            if (own.delayNanos(now) > 0 || shared.delayNanos(now) > 0) {
                return false;
            }
            own.use(bytes, now);
            shared.use(bytes, now);
            return true;
        }
    }
}
