package io.tunnelplane.control.event;

import io.tunnelplane.control.ControlPlaneProperties;
import io.tunnelplane.control.client.Client;
import io.tunnelplane.control.client.ClientRepository;
import io.tunnelplane.control.web.ApiException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Connection history. The engine hands over ended sessions without waiting ({@link #record}); they are written in
 * batches every second and once more when the application stops, after the engine has drained. Old events are
 * pruned after {@code tunnel.api.event-retention}.
 */
@Service
public class ConnectionEvents implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(ConnectionEvents.class);
    /** How long a correction waits for the event it corrects (written late, or by another node). */
    private static final Duration CORRECTION_PATIENCE = Duration.ofMinutes(2);

    private final ConnectionEventRepository events;
    private final ClientRepository clients;
    private final TransactionTemplate tx;
    private final ControlPlaneProperties properties;
    private final Clock clock;
    private final ConcurrentLinkedQueue<SessionRecord> pending = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Correction> corrections = new ConcurrentLinkedQueue<>();
    private volatile boolean running;

    private record Correction(String sessionId, String cause, String explanation, Instant queuedAt) {
    }

    public ConnectionEvents(ConnectionEventRepository events, ClientRepository clients, TransactionTemplate tx,
            ControlPlaneProperties properties, Clock clock) {
        this.events = events;
        this.clients = clients;
        this.tx = tx;
        this.properties = properties;
        this.clock = clock;
    }

    /** Queues an ended session; never blocks. */
    public void record(SessionRecord record) {
        pending.add(record);
    }

    /**
     * Corrects the cause recorded for {@code sessionId} when it is one of the unexplained ones (a correction never
     * hides a cause someone chose). The event may not be written yet, or may be written by another node of the
     * cluster: the correction is retried at each flush for {@link #CORRECTION_PATIENCE}.
     */
    public void correct(String sessionId, String cause, String explanation) {
        corrections.add(new Correction(sessionId, cause, explanation, clock.instant()));
    }

    @Scheduled(fixedDelay = 1000)
    public void flush() {
        writePending();
        applyCorrections();
    }

    private void writePending() {
        if (pending.isEmpty()) {
            return;
        }
        List<SessionRecord> batch = new ArrayList<>();
        SessionRecord next;
        while ((next = pending.poll()) != null) {
            batch.add(next);
        }
        try {
            tx.executeWithoutResult(status -> {
                Map<String, Long> ids = clients.findByNameIn(batch.stream().map(SessionRecord::clientName)
                        .collect(Collectors.toSet())).stream()
                        .collect(Collectors.toMap(Client::getName, Client::getId));
                List<ConnectionEvent> rows = batch.stream()
                        .filter(r -> ids.containsKey(r.clientName())) // clients deleted meanwhile keep no history
                        .map(r -> new ConnectionEvent(ids.get(r.clientName()), r))
                        .toList();
                events.saveAll(rows);
            });
        } catch (RuntimeException e) {
            log.warn("could not store {} connection events, will retry: {}", batch.size(), e.toString());
            pending.addAll(batch);
        }
    }

    private void applyCorrections() {
        List<Correction> due = new ArrayList<>();
        Correction next;
        while ((next = corrections.poll()) != null) {
            due.add(next);
        }
        if (due.isEmpty()) {
            return;
        }
        List<Correction> retry = new ArrayList<>();
        try {
            tx.executeWithoutResult(status -> {
                for (Correction correction : due) {
                    List<ConnectionEvent> found = events.findBySessionId(correction.sessionId());
                    found.stream().filter(e -> DisconnectDiagnosis.UNEXPECTED.contains(e.getCause()))
                            .forEach(e -> e.correctCause(correction.cause(), correction.explanation()));
                    if (found.isEmpty() && clock.instant().isBefore(correction.queuedAt().plus(CORRECTION_PATIENCE))) {
                        retry.add(correction);
                    }
                }
            });
        } catch (RuntimeException e) {
            log.warn("could not correct {} connection events, will retry: {}", due.size(), e.toString());
            retry.clear();
            retry.addAll(due);
        }
        corrections.addAll(retry);
    }

    @Scheduled(fixedDelay = 3_600_000, initialDelay = 60_000)
    public void prune() {
        int removed = tx.execute(status -> events.deleteOlderThan(clock.instant().minus(properties.eventRetention())));
        if (removed > 0) {
            log.info("pruned {} connection events older than {}", removed, properties.eventRetention());
        }
    }

    /** The client's most recent events, newest first, for the diagnosis. */
    public List<ConnectionEvent> recent(long clientId, int max) {
        requireClient(clientId);
        return events.findByClientIdOrderByDisconnectedAtDescIdDesc(clientId, Pageable.ofSize(max)).getContent();
    }

    /** Each client's newest ended session, by client id. */
    public Map<Long, ConnectionEvent> newestPerClient() {
        return events.findNewestPerClient().stream()
                .collect(Collectors.toMap(ConnectionEvent::getClientId, e -> e, (a, b) -> a));
    }

    /** Every client's events of the last {@code window}, at most {@code max}, newest first, with client names. */
    public FleetDiagnosis.Result diagnoseFleet(Duration window, int max) {
        List<ConnectionEvent> recent = events.findByDisconnectedAtAfterOrderByDisconnectedAtDesc(
                clock.instant().minus(window), Pageable.ofSize(max));
        Map<Long, String> names = clients.findAllById(recent.stream().map(ConnectionEvent::getClientId)
                .collect(Collectors.toSet())).stream().collect(Collectors.toMap(Client::getId, Client::getName));
        return FleetDiagnosis.diagnose(recent, names::get);
    }

    public Page<EventView> list(long clientId, Pageable pageable) {
        requireClient(clientId);
        return events.findByClientIdOrderByDisconnectedAtDescIdDesc(clientId, pageable).map(EventView::of);
    }

    private void requireClient(long clientId) {
        if (!clients.existsById(clientId)) {
            throw ApiException.notFound("client", clientId);
        }
    }

    @Override
    public void start() {
        running = true;
    }

    /** Stops after the engine (lower phase stops later): the last sessions' events are written before exit. */
    @Override
    public void stop() {
        running = false;
        flush();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 2048;
    }

    /** An event as the API shows it. */
    public record EventView(long id, String sessionId, Instant connectedAt,
            Instant disconnectedAt, String remoteAddress, String cause, String detail, long durationMs,
            long bytesIn, long bytesOut, Long lastRttMicros, String agentVersion, String previousCause,
            Integer reconnectAttempts, Long silenceMs, Long retransmits) {
        static EventView of(ConnectionEvent e) {
            return new EventView(e.getId(), e.getSessionId(), e.getConnectedAt(), e.getDisconnectedAt(),
                    e.getRemoteAddress(), e.getCause(), e.getDetail(), e.getDurationMs(), e.getBytesIn(),
                    e.getBytesOut(), e.getLastRttMicros(), e.getAgentVersion(), e.getPreviousCause(),
                    e.getReconnectAttempts(), e.getSilenceMs(), e.getRetransmits());
        }
    }

}
