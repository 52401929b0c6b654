package io.tunnelplane.control.client;

import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.MapKeyColumn;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** An agent identity: its name, whether it may connect, and the key derived from its current token. */
@Entity
@Table(name = "client")
public class Client {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(nullable = false, unique = true, length = 63)
    private String name;

    @Column(length = 500)
    private String description;

    @Column(nullable = false)
    private boolean enabled = true;

    @Column(name = "token_key", nullable = false, length = 64)
    private String tokenKey;

    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "client_label", joinColumns = @JoinColumn(name = "client_id"))
    @MapKeyColumn(name = "label_key")
    @Column(name = "label_value")
    private Map<String, String> labels = new HashMap<>();

    /** Bytes (both directions) its proxies may move per calendar month (UTC); null for none. */
    @Column(name = "monthly_quota")
    private Long monthlyQuota;

    /** Bytes per second each way for all its proxies together; null for none. */
    @Column(name = "bandwidth_limit")
    private Long bandwidthLimit;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    @Column(name = "last_seen_at")
    private Instant lastSeenAt;

    @Version
    private long version;

    protected Client() {
    }

    public Client(String name, String description, Map<String, String> labels, String tokenKey, Instant now) {
        this.name = name;
        this.description = description;
        this.labels = new HashMap<>(labels);
        this.tokenKey = tokenKey;
        this.createdAt = now;
        this.updatedAt = now;
    }

    public Long getId() {
        return id;
    }

    public String getName() {
        return name;
    }

    public String getDescription() {
        return description;
    }

    public boolean isEnabled() {
        return enabled;
    }

    public String getTokenKey() {
        return tokenKey;
    }

    public Map<String, String> getLabels() {
        return Map.copyOf(labels);
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public Instant getUpdatedAt() {
        return updatedAt;
    }

    public Instant getLastSeenAt() {
        return lastSeenAt;
    }

    public void describe(String description, Instant now) {
        this.description = description;
        this.updatedAt = now;
    }

    public Long getMonthlyQuota() {
        return monthlyQuota;
    }

    /** A quota of 0 or null lifts it. */
    public void limitMonthlyTraffic(Long bytes, Instant now) {
        this.monthlyQuota = bytes == null || bytes == 0 ? null : bytes;
        this.updatedAt = now;
    }

    public Long getBandwidthLimit() {
        return bandwidthLimit;
    }

    /** A limit of 0 or null lifts it. */
    public void limitBandwidth(Long bytesPerSecond, Instant now) {
        this.bandwidthLimit = bytesPerSecond == null || bytesPerSecond == 0 ? null : bytesPerSecond;
        this.updatedAt = now;
    }

    public void label(Map<String, String> labels, Instant now) {
        this.labels.clear();
        this.labels.putAll(labels);
        this.updatedAt = now;
    }

    public void enable(boolean enabled, Instant now) {
        this.enabled = enabled;
        this.updatedAt = now;
    }

    public void rotateTokenKey(String tokenKey, Instant now) {
        this.tokenKey = tokenKey;
        this.updatedAt = now;
    }

    public void seen(Instant when) {
        this.lastSeenAt = when;
    }

    @Override
    public String toString() {
        return "Client[id=" + id + ", name=" + name + ", enabled=" + enabled + "]";
    }
}
