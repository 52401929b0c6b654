package io.tunnelplane.control.proxy;

import io.tunnelplane.control.client.Client;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;

/** A public port on the server relayed to {@code localHost:localPort} as seen from the client's agent. */
@Entity
@Table(name = "proxy")
public class Proxy {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @ManyToOne(fetch = FetchType.LAZY, optional = false)
    @JoinColumn(name = "client_id", nullable = false)
    private Client client;

    @Column(nullable = false, length = 63)
    private String name;

    @Column(nullable = false, length = 16)
    private String type;

    @Column(name = "local_host", nullable = false, length = 253)
    private String localHost;

    @Column(name = "local_port", nullable = false)
    private int localPort;

    @Column(name = "remote_port", nullable = false)
    private int remotePort;

    @Column(nullable = false)
    private boolean enabled;

    /** Mirrors {@code remotePort} while enabled so the database keeps enabled ports unique. */
    @Column(name = "active_remote_port", unique = true)
    private Integer activeRemotePort;

    @Column(name = "bandwidth_limit_bytes")
    private Long bandwidthLimitBytes;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    @Version
    private long version;

    protected Proxy() {
    }

    public Proxy(Client client, String name, String type, String localHost, int localPort, int remotePort,
            boolean enabled, Long bandwidthLimitBytes, Instant now) {
        this.client = client;
        this.name = name;
        this.type = type;
        this.localHost = localHost;
        this.localPort = localPort;
        this.remotePort = remotePort;
        this.bandwidthLimitBytes = bandwidthLimitBytes;
        this.createdAt = now;
        enable(enabled, now);
    }

    public Long getId() {
        return id;
    }

    public Client getClient() {
        return client;
    }

    public String getName() {
        return name;
    }

    public String getType() {
        return type;
    }

    public String getLocalHost() {
        return localHost;
    }

    public int getLocalPort() {
        return localPort;
    }

    public int getRemotePort() {
        return remotePort;
    }

    public boolean isEnabled() {
        return enabled;
    }

    public Long getBandwidthLimitBytes() {
        return bandwidthLimitBytes;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public Instant getUpdatedAt() {
        return updatedAt;
    }

    public void enable(boolean enabled, Instant now) {
        this.enabled = enabled;
        this.activeRemotePort = enabled ? remotePort : null;
        this.updatedAt = now;
    }

    public void retarget(String localHost, int localPort, int remotePort, Instant now) {
        this.localHost = localHost;
        this.localPort = localPort;
        this.remotePort = remotePort;
        enable(enabled, now);
    }
}
