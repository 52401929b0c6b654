package io.tunnelplane.server.admission;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The clients over their monthly traffic quota, as the shared totals said at the last check: their new visitors
 * are refused ({@code quota_exceeded}) until the month ends; visitors already connected keep going. One line is
 * logged when a client crosses its quota and when it is admitted again; {@code tunnel_clients_over_quota} counts
 * them.
 */
@Component
public class MonthlyQuotas {
    private static final Logger log = LoggerFactory.getLogger("io.tunnelplane.quota");

    private volatile Set<String> over = Set.of();

    public MonthlyQuotas(MeterRegistry registry) {
        Gauge.builder("tunnel.clients.over.quota", this, quotas -> quotas.over.size())
                .description("Clients whose new visitors are refused: their monthly traffic quota is used up")
                .register(registry);
    }

    public boolean exceeded(String client) {
        return over.contains(client);
    }

    /** Takes the clients now over quota, logging each change. */
    public void replace(Set<String> now) {
        Set<String> before = over;
        YearMonth next = YearMonth.now(ZoneOffset.UTC).plusMonths(1);
        for (String client : now) {
            if (!before.contains(client)) {
                log.warn("client={} used its monthly traffic quota: new visitors are refused until {}-01 UTC (or"
                        + " until the quota is raised)", client, next);
            }
        }
        for (String client : before) {
            if (!now.contains(client)) {
                log.info("client={} is within its monthly traffic quota again: visitors are admitted", client);
            }
        }
        over = Set.copyOf(new HashSet<>(now));
    }
}
