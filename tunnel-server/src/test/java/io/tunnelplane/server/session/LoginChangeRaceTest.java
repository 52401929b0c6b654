package io.tunnelplane.server.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tunnelplane.server.config.TunnelServerProperties;
import io.tunnelplane.server.metrics.TunnelMetrics;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * When a login may skip reading its client's proxies a second time: only if no change arrived since it noted the
 * count and none is still inside its transaction (applied to the engine, not yet committed).
 */
class LoginChangeRaceTest {
    private final SessionRegistry registry = new SessionRegistry(null, new TunnelMetrics(new SimpleMeterRegistry(),
            new Binder(new MapConfigurationPropertySource(Map.of())).bindOrCreate("tunnel.server",
                    TunnelServerProperties.class)));

    @Test
    void aQuietControlPlaneLetsTheLoginSkipItsSecondRead() {
        long noted = registry.changesArrived();
        assertThat(registry.changedSince(noted)).isFalse();
    }

    @Test
    void aChangeThatArrivedAfterTheLoginNotedTheCountForcesTheSecondRead() {
        long noted = registry.changesArrived();
        registry.changeArriving();
        registry.changeSettled();
        assertThat(registry.changedSince(noted)).isTrue();
    }

    @Test
    void aChangeStillInsideItsTransactionForcesTheSecondReadEvenIfItArrivedBefore() {
        registry.changeArriving(); // applied inside the API's transaction, not committed yet
        long noted = registry.changesArrived(); // the login reads now and sees the old proxies
        assertThat(registry.changedSince(noted)).as("uncommitted when the login read").isTrue();
        registry.changeSettled(); // committed
        assertThat(registry.changedSince(registry.changesArrived())).isFalse();
    }
}
