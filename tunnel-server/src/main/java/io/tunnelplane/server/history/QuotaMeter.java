package io.tunnelplane.server.history;

import io.tunnelplane.control.quota.TrafficQuotas;
import io.tunnelplane.server.admission.MonthlyQuotas;
import io.tunnelplane.server.config.TunnelServerProperties;
import java.time.Clock;
import java.time.YearMonth;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Every {@code tunnel.server.access.quota-interval}: adds what this node's relays moved per client (from the
 * traffic history's samples) to the shared monthly totals, then reads which clients are over their quota, so every
 * node refuses their new visitors within one interval of the crossing. Off the event loops, on a thread of its own.
 */
@Component
public class QuotaMeter implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger("io.tunnelplane.quota");

    private final TrafficHistory history;
    private final TrafficQuotas totals;
    private final MonthlyQuotas quotas;
    private final long intervalMillis;
    private final Clock clock = Clock.systemUTC();
    private ScheduledExecutorService timer;

    public QuotaMeter(TrafficHistory history, TrafficQuotas totals, MonthlyQuotas quotas,
            TunnelServerProperties properties) {
        this.history = history;
        this.totals = totals;
        this.quotas = quotas;
        this.intervalMillis = properties.access().quotaInterval().toMillis();
    }

    void check() {
        YearMonth month = YearMonth.now(clock);
        Map<String, Long> moved = history.takeMoved();
        try {
            totals.add(moved, month);
            quotas.replace(totals.overQuota(month));
        } catch (RuntimeException e) {
            history.giveBack(moved); // counted at the next check instead
            log.warn("could not update the monthly traffic totals: {}", e.toString());
        }
    }

    @Override
    public void start() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "quota-meter");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(this::check, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }

    @Override
    public boolean isRunning() {
        return timer != null;
    }
}
