package io.tunnelplane.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tunnelplane.server.config.TunnelServerProperties;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class TunnelMetricsTest {

    @Test
    void connectionsOfClientsBeyondTheLimitAreSummed() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TunnelServerProperties properties = new Binder(new MapConfigurationPropertySource(
                Map.of("tunnel.server.metrics.per-client-limit", "1")))
                .bindOrCreate("tunnel.server", TunnelServerProperties.class);
        TunnelMetrics metrics = new TunnelMetrics(registry, properties, Runnable::run);
        AtomicInteger first = new AtomicInteger(1);
        AtomicInteger second = new AtomicInteger(2);
        AtomicInteger third = new AtomicInteger(3);
        metrics.groupCreated("first", first::get);
        metrics.groupCreated("second", second::get);
        metrics.groupCreated("third", third::get);

        assertThat(registry.get("tunnel.agent.connections").tag("client", "first").gauge().value()).isEqualTo(1);
        assertThat(registry.get("tunnel.agent.connections").tag("client", "_other").gauge().value()).isEqualTo(5);
        metrics.groupRetired("second");
        assertThat(registry.get("tunnel.agent.connections").tag("client", "_other").gauge().value()).isEqualTo(3);
    }
}
