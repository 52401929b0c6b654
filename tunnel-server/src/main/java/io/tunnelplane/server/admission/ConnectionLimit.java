package io.tunnelplane.server.admission;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.tunnelplane.server.config.TunnelServerProperties;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * {@code tunnel.server.max-connections}: agent and visitor connections open at once. A connection beyond it is
 * refused at once (RST) and counted in {@code tunnel_connections_refused_total{reason="max_connections"}} instead
 * of failing somewhere later for lack of file descriptors; established sessions keep serving. At startup the
 * process's open-file limit is compared with what the setting needs.
 */
@Component
public class ConnectionLimit {
    private static final Logger log = LoggerFactory.getLogger(ConnectionLimit.class);
    /** Descriptors the JVM, the database pool and the listeners need besides connections. */
    static final int RESERVED_DESCRIPTORS = 256;

    private final int max;
    private final AtomicInteger open = new AtomicInteger();
    private final Counter refused;

    public ConnectionLimit(TunnelServerProperties properties, MeterRegistry registry) {
        this.max = properties.maxConnections();
        this.refused = Counter.builder("tunnel.connections.refused").tag("reason", "max_connections")
                .description("Connections refused because a configured limit was reached").register(registry);
        Gauge.builder("tunnel.connections.open", open, AtomicInteger::get)
                .description("Agent and visitor connections open now").register(registry);
        checkFileLimit();
    }

    /** Admits a new connection, or refuses it (reset and counted). Returns whether it was admitted. */
    public boolean admit(Channel channel) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            refused.increment();
            channel.config().setOption(ChannelOption.SO_LINGER, 0);
            channel.close();
            return false;
        }
        channel.closeFuture().addListener(f -> open.decrementAndGet());
        return true;
    }

    private void checkFileLimit() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            long limit = unix.getMaxFileDescriptorCount();
            long needed = (long) max + RESERVED_DESCRIPTORS;
            if (limit < needed) {
                log.warn("open-file limit is {} but tunnel.server.max-connections={} needs about {}: connections will "
                        + "fail with 'too many open files' before the limit refuses them. Raise it (ulimit -n {}, "
                        + "systemd LimitNOFILE={}, docker --ulimit nofile={}) or lower tunnel.server.max-connections "
                        + "to {}", limit, max, needed, needed, needed, needed, Math.max(1, limit - RESERVED_DESCRIPTORS));
            }
        }
    }
}
