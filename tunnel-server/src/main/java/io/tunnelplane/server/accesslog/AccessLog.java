package io.tunnelplane.server.accesslog;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import io.tunnelplane.control.runtime.AccessRecord;
import io.tunnelplane.control.runtime.ProxyDefinition;
import io.tunnelplane.protocol.control.ProxySpec;
import io.tunnelplane.server.config.TunnelServerProperties;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Who came and what they did: one JSON object per line on the logger {@code io.tunnelplane.access} (standard output,
 * or {@code tunnel.server.access.log-file}), for journald, Docker, Loki or fail2ban; and the newest
 * {@value #KEPT} entries of each proxy in memory for {@code GET /api/v1/proxies/{id}/access} (about 80 KB per
 * proxy that had visitors since the server started).
 */
@Component
public class AccessLog {
    public static final String LOGGER = "io.tunnelplane.access";
    static final int KEPT = 256;

    private final boolean enabled;
    private final org.slf4j.Logger lines = LoggerFactory.getLogger(LOGGER);
    private final JsonMapper json = JsonMapper.builder().build();
    private final Map<Long, ArrayDeque<AccessRecord>> byProxy = new ConcurrentHashMap<>();
    /** Stored proxies whose access log is switched off, by client (replaced with the client's proxy list). */
    private final Map<String, Set<Long>> silentByClient = new ConcurrentHashMap<>();

    public AccessLog(TunnelServerProperties properties) {
        this.enabled = properties.access().log();
        if (enabled) {
            writeLinesAsIs(properties.access().logFile());
        }
    }

    /** Takes which of the client's proxies are switched off, from its complete proxy list. */
    public void update(String client, List<ProxyDefinition> proxies) {
        silentByClient.put(client, proxies.stream().filter(p -> !p.accessLog()).map(ProxyDefinition::id)
                .collect(Collectors.toUnmodifiableSet()));
    }

    public void record(AccessRecord entry) {
        if (!enabled || silentByClient.getOrDefault(entry.client(), Set.of()).contains(entry.proxyId())) {
            return;
        }
        if (lines.isInfoEnabled()) {
            lines.info(json.writeValueAsString(fields(entry)));
        }
        ArrayDeque<AccessRecord> kept = byProxy.computeIfAbsent(entry.proxyId(), id -> new ArrayDeque<>());
        synchronized (kept) {
            kept.addFirst(entry);
            if (kept.size() > KEPT) {
                kept.removeLast();
            }
        }
    }

    /** Newest first, at most {@code limit}, none that began before {@code since} (null: any). */
    public List<AccessRecord> recent(long proxyId, Instant since, int limit) {
        ArrayDeque<AccessRecord> kept = byProxy.get(proxyId);
        if (kept == null) {
            return List.of();
        }
        List<AccessRecord> found = new ArrayList<>();
        synchronized (kept) {
            for (Iterator<AccessRecord> it = kept.iterator(); it.hasNext() && found.size() < limit; ) {
                AccessRecord entry = it.next();
                if (since == null || !entry.start().isBefore(since)) {
                    found.add(entry);
                }
            }
        }
        return found;
    }

    /** A TCP connection ({@code connection}) or UDP flow ({@code flow}) that ended now. */
    public static AccessRecord ended(String event, String client, ProxySpec proxy, SocketAddress source,
            Instant start, long bytesIn, long bytesOut, String outcome) {
        Instant end = Instant.now();
        return new AccessRecord(start, end, event, client, proxy.name(), proxy.id(), proxy.type(), host(source),
                port(source), Duration.between(start, end).toMillis(), bytesIn, bytesOut, outcome, null, null, null,
                null, null, null);
    }

    /** A visitor refused now, before anything was relayed. */
    public static AccessRecord refused(String client, ProxySpec proxy, SocketAddress source, String reason) {
        Instant now = Instant.now();
        return new AccessRecord(now, now, "refused", client, proxy.name(), proxy.id(), proxy.type(), host(source),
                port(source), 0L, 0L, 0L, reason, null, null, null, null, null, null);
    }

    /** An HTTP request answered now: by the local service ({@code responseMs} set) or by the server itself. */
    public static AccessRecord request(String client, ProxySpec proxy, SocketAddress source, String method,
            String host, String path, int status, Instant start, Long responseMs, String user) {
        return new AccessRecord(start, Instant.now(), "request", client, proxy.name(), proxy.id(), proxy.type(),
                host(source), port(source), null, null, null, null, method, host, path, status, responseMs, user);
    }

    private static String host(SocketAddress source) {
        return source instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : null;
    }

    private static int port(SocketAddress source) {
        return source instanceof InetSocketAddress inet ? inet.getPort() : 0;
    }

    /** The entry's fields in a fixed order, nulls left out: one line a machine parses and a person can read. */
    private static Map<String, Object> fields(AccessRecord e) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("time", (e.end() != null ? e.end() : e.start()).toString());
        fields.put("event", e.event());
        fields.put("client", e.client());
        fields.put("proxy", e.proxy());
        fields.put("type", e.type());
        fields.put("source", e.source());
        fields.put("sourcePort", e.sourcePort());
        put(fields, "start", e.start() == null ? null : e.start().toString());
        put(fields, "durationMs", e.durationMs());
        put(fields, "bytesIn", e.bytesIn());
        put(fields, "bytesOut", e.bytesOut());
        put(fields, "outcome", e.outcome());
        put(fields, "method", e.method());
        put(fields, "host", e.host());
        put(fields, "path", e.path());
        put(fields, "status", e.status());
        put(fields, "responseMs", e.responseMs());
        put(fields, "user", e.user());
        return fields;
    }

    private static void put(Map<String, Object> fields, String name, Object value) {
        if (value != null) {
            fields.put(name, value);
        }
    }

    /**
     * The access logger writes the JSON alone, one object per line, on an appender of its own (not the
     * application's log format, not its appenders). Where logging is not Logback it keeps the host's settings.
     */
    private static void writeLinesAsIs(String file) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%msg%n");
        encoder.start();
        OutputStreamAppender<ILoggingEvent> appender;
        if (file == null || file.isBlank()) {
            appender = new ConsoleAppender<>();
        } else {
            FileAppender<ILoggingEvent> toFile = new FileAppender<>();
            toFile.setFile(file);
            toFile.setAppend(true);
            appender = toFile;
        }
        appender.setContext(context);
        appender.setName("tunnel-access");
        appender.setEncoder(encoder);
        appender.start();
        Logger logger = context.getLogger(LOGGER);
        logger.detachAndStopAllAppenders();
        logger.addAppender(appender);
        logger.setAdditive(false);
        logger.setLevel(ch.qos.logback.classic.Level.INFO);
    }
}
