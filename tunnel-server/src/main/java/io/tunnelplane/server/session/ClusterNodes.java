package io.tunnelplane.server.session;

import java.util.List;

/**
 * The addresses ({@code host:port}) agents dial to reach the live nodes of this server's cluster, told to every
 * agent at login so it keeps a connection to each. Implemented by the cluster package; empty on a single node.
 */
public interface ClusterNodes {
    List<String> advertised();
}
