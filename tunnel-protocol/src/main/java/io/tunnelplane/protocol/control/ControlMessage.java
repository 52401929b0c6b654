package io.tunnelplane.protocol.control;

import java.util.List;

/** Messages on a session's control stream, which the server opens first after login. */
public sealed interface ControlMessage permits ControlMessage.ProxyList, ControlMessage.ProxyStatus,
        ControlMessage.HostReport, ControlMessage.ClusterNodes {

    /** The complete, versioned set of proxies the agent must serve; each push replaces the previous one. */
    record ProxyList(long version, List<ProxySpec> proxies) implements ControlMessage {
        public ProxyList {
            proxies = List.copyOf(proxies);
        }
    }

    /** The agent's report about one proxy, e.g. its local service refused a connection. */
    record ProxyStatus(long proxyId, String state, String detail) implements ControlMessage {
        public static final String LOCAL_REACHABLE = "local_reachable";
        public static final String LOCAL_UNREACHABLE = "local_unreachable";
    }

    /**
     * The agent host's resources, sent at a low rate so operators see what a host is short of before it fails.
     * A value of -1 means "not available on this platform".
     *
     * @param openFiles            file descriptors the agent process has open
     * @param maxFiles             the agent process's open-file limit
     * @param memoryAvailableBytes memory the host can still hand out (Linux: MemAvailable)
     * @param memoryTotalBytes     the host's physical memory
     */
    record HostReport(long openFiles, long maxFiles, long memoryAvailableBytes, long memoryTotalBytes)
            implements ControlMessage {
    }

    /**
     * The live nodes of the server's cluster changed: their agent addresses ({@code host:port}), as in the login
     * answer. Sent only to agents that asked for it ({@code Login.CLUSTER_UPDATES}).
     */
    record ClusterNodes(List<String> nodes) implements ControlMessage {
        public ClusterNodes {
            nodes = List.copyOf(nodes);
        }
    }
}
