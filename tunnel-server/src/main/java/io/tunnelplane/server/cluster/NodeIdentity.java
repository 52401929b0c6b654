package io.tunnelplane.server.cluster;

import io.tunnelplane.control.cluster.ClusterMembership;
import io.tunnelplane.control.cluster.NodePresence;
import io.tunnelplane.server.TunnelServerApplication;
import io.tunnelplane.server.config.TunnelServerProperties;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import org.springframework.stereotype.Component;

/**
 * Who this node is in the cluster: {@code tunnel.server.node-id} or the host name, the address agents dial to
 * reach it ({@code tunnel.server.advertise-address}, none on a single node), and the server version.
 */
@Component
public class NodeIdentity implements ClusterMembership {
    private final String nodeId;
    private final String advertiseAddress;
    private final String version;
    private final Duration nodeExpiry;

    public NodeIdentity(TunnelServerProperties properties) {
        this.nodeId = properties.nodeId().isEmpty() ? hostName() : properties.nodeId();
        this.advertiseAddress = properties.advertiseAddress().isEmpty() ? null : properties.advertiseAddress();
        String implementation = TunnelServerApplication.class.getPackage().getImplementationVersion();
        this.version = implementation == null ? "dev" : implementation;
        this.nodeExpiry = properties.cluster().nodeExpiry();
    }

    /** A host name fit for a node id (its first label, lower case), or "local" when the host has none. */
    static String hostName() {
        try {
            String host = InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
            String label = host.split("\\.", 2)[0].replaceAll("[^a-z0-9_-]", "-");
            return label.isEmpty() || !Character.isLetterOrDigit(label.charAt(0)) ? "local" : label;
        } catch (UnknownHostException e) {
            return "local";
        }
    }

    @Override
    public String nodeId() {
        return nodeId;
    }

    @Override
    public Duration nodeExpiry() {
        return nodeExpiry;
    }

    /** The address agents dial to reach this node, or null when none is configured. */
    public String advertiseAddress() {
        return advertiseAddress;
    }

    public String version() {
        return version;
    }

    NodePresence.Node asPresence() {
        return new NodePresence.Node(nodeId, advertiseAddress, version);
    }
}
