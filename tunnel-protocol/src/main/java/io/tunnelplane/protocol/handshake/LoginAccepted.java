package io.tunnelplane.protocol.handshake;

import java.util.List;

/**
 * The server accepted the login. {@code serverProof} shows the server knows the token too, so an agent never talks
 * to an impostor that merely accepts everything. {@code clusterNodes} are the addresses ({@code host:port}) of the
 * live nodes of the server's cluster, this one included, for the agent to keep a connection to each; empty on a
 * single node. After this message both sides speak HTTP/2.
 */
public record LoginAccepted(
        String sessionId,
        long keepaliveTimeMillis,
        long keepaliveTimeoutMillis,
        byte[] serverProof,
        List<String> clusterNodes) implements HandshakeMessage {

    /** More nodes than this are not sent: an agent keeps at most {@link Login#MAX_CONNECTIONS} connections. */
    public static final int MAX_CLUSTER_NODES = 32;

    public LoginAccepted {
        clusterNodes = List.copyOf(clusterNodes);
        if (clusterNodes.size() > MAX_CLUSTER_NODES) {
            throw new IllegalArgumentException("at most " + MAX_CLUSTER_NODES + " cluster nodes");
        }
    }
}
