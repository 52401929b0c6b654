package io.tunnelplane.server.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tunnelplane.control.event.ConnectionEvents;
import io.tunnelplane.control.event.DisconnectDiagnosis;
import io.tunnelplane.control.event.FleetDiagnosis;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * {@code tunnel_diagnosis_clients{pattern}}: how many clients' drops of the last hour the diagnosis reads as each
 * pattern, recomputed every minute from the connection history, so a dashboard shows at a glance whether drops are
 * NAT idle timers, lifetime caps, lossy links or pauses. Every node computes it from the shared history: query it
 * with {@code max by (pattern)}.
 */
@Component
public class DiagnosedPatterns {
    private static final Logger log = LoggerFactory.getLogger(DiagnosedPatterns.class);

    private final ConnectionEvents events;
    private final Map<String, AtomicInteger> clientsByPattern = new ConcurrentHashMap<>();

    public DiagnosedPatterns(ConnectionEvents events, MeterRegistry registry) {
        this.events = events;
        for (String pattern : DisconnectDiagnosis.PATTERNS) {
            AtomicInteger count = new AtomicInteger();
            clientsByPattern.put(pattern, count);
            Gauge.builder("tunnel.diagnosis.clients", count, AtomicInteger::get)
                    .description("Clients whose drops of the last hour the diagnosis reads as this pattern")
                    .tag("pattern", pattern).register(registry);
        }
    }

    @Scheduled(fixedDelay = 60_000, initialDelay = 10_000)
    public void refresh() {
        try {
            FleetDiagnosis.Result fleet = events.diagnoseFleet(FleetDiagnosis.WINDOW, 20_000);
            Map<String, Integer> counts = new HashMap<>();
            fleet.clients().forEach(client -> counts.merge(client.pattern(), 1, Integer::sum));
            clientsByPattern.forEach((pattern, count) -> count.set(counts.getOrDefault(pattern, 0)));
        } catch (RuntimeException e) {
            log.warn("could not refresh the diagnosed-pattern metrics: {}", e.toString());
        }
    }
}
