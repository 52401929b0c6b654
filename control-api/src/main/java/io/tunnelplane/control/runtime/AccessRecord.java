package io.tunnelplane.control.runtime;

import java.time.Instant;

/**
 * One visitor's use of a proxy, as the access log writes it: a TCP connection, a UDP flow, an HTTP request, or a
 * refusal. Fields that do not apply to the event are null.
 *
 * @param event      {@code connection}, {@code flow}, {@code request} or {@code refused}
 * @param outcome    how it ended: {@code closed}, {@code reset}, {@code idle} (a UDP flow), the refusal's reason
 * @param bytesIn    bytes from the visitor
 * @param bytesOut   bytes to the visitor
 * @param path       an HTTP request's path, without its query
 * @param responseMs from an HTTP request's head to its response's head
 */
public record AccessRecord(Instant start, Instant end, String event, String client, String proxy, long proxyId,
        String type, String source, int sourcePort, Long durationMs, Long bytesIn, Long bytesOut, String outcome,
        String method, String host, String path, Integer status, Long responseMs, String user) {
}
