package io.tunnelplane.control.event;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * One ended agent session: when, for how long, why, and what it moved. Written once; only its cause is corrected
 * later, when the agent reports that its own pause ended the session ({@link #correctCause}).
 */
@Entity
@Table(name = "connection_event")
public class ConnectionEvent {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "client_id", nullable = false)
    private Long clientId;

    @Column(name = "session_id", nullable = false, length = 64)
    private String sessionId;

    @Column(name = "connected_at", nullable = false)
    private Instant connectedAt;

    @Column(name = "disconnected_at", nullable = false)
    private Instant disconnectedAt;

    @Column(name = "remote_address", length = 100)
    private String remoteAddress;

    @Column(nullable = false, length = 32)
    private String cause;

    @Column(length = 500)
    private String detail;

    @Column(name = "duration_ms", nullable = false)
    private long durationMs;

    @Column(name = "bytes_in", nullable = false)
    private long bytesIn;

    @Column(name = "bytes_out", nullable = false)
    private long bytesOut;

    @Column(name = "last_rtt_micros")
    private Long lastRttMicros;

    @Column(name = "agent_version", length = 64)
    private String agentVersion;

    @Column(name = "previous_cause", length = 32)
    private String previousCause;

    @Column(name = "reconnect_attempts")
    private Integer reconnectAttempts;

    @Column(name = "silence_ms")
    private Long silenceMs;

    @Column(name = "keepalive_time_ms")
    private Long keepaliveTimeMs;

    @Column(name = "keepalive_timeout_ms")
    private Long keepaliveTimeoutMs;

    @Column(name = "retransmits")
    private Long retransmits;

    protected ConnectionEvent() {
    }

    public ConnectionEvent(Long clientId, SessionRecord record) {
        this.clientId = clientId;
        this.sessionId = record.sessionId();
        this.connectedAt = record.connectedAt();
        this.disconnectedAt = record.disconnectedAt();
        this.remoteAddress = truncate(record.remoteAddress(), 100);
        this.cause = record.cause();
        this.detail = truncate(record.detail(), 500);
        this.durationMs = record.durationMs();
        this.bytesIn = record.bytesIn();
        this.bytesOut = record.bytesOut();
        this.lastRttMicros = record.lastRttMicros();
        this.agentVersion = truncate(record.agentVersion(), 64);
        this.previousCause = record.previousCause();
        this.reconnectAttempts = record.reconnectAttempts();
        this.silenceMs = record.silenceMs();
        this.keepaliveTimeMs = record.keepaliveTimeMs();
        this.keepaliveTimeoutMs = record.keepaliveTimeoutMs();
        this.retransmits = record.retransmits();
    }

    /** Replaces the recorded cause with a better-informed one, keeping the original in the detail. */
    void correctCause(String newCause, String explanation) {
        String original = "recorded as " + cause + (detail == null || detail.isEmpty() ? "" : ": " + detail);
        this.detail = truncate(explanation + "; " + original, 500);
        this.cause = newCause;
    }

    private static String truncate(String value, int max) {
        return value == null || value.length() <= max ? value : value.substring(0, max);
    }

    public Long getId() {
        return id;
    }

    public Long getClientId() {
        return clientId;
    }

    public String getSessionId() {
        return sessionId;
    }

    public Instant getConnectedAt() {
        return connectedAt;
    }

    public Instant getDisconnectedAt() {
        return disconnectedAt;
    }

    public String getRemoteAddress() {
        return remoteAddress;
    }

    public String getCause() {
        return cause;
    }

    public String getDetail() {
        return detail;
    }

    public long getDurationMs() {
        return durationMs;
    }

    public long getBytesIn() {
        return bytesIn;
    }

    public long getBytesOut() {
        return bytesOut;
    }

    public Long getLastRttMicros() {
        return lastRttMicros;
    }

    public String getAgentVersion() {
        return agentVersion;
    }

    public String getPreviousCause() {
        return previousCause;
    }

    public Integer getReconnectAttempts() {
        return reconnectAttempts;
    }

    public Long getSilenceMs() {
        return silenceMs;
    }

    public Long getKeepaliveTimeMs() {
        return keepaliveTimeMs;
    }

    public Long getKeepaliveTimeoutMs() {
        return keepaliveTimeoutMs;
    }

    public Long getRetransmits() {
        return retransmits;
    }
}
