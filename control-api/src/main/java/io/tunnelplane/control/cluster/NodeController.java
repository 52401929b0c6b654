package io.tunnelplane.control.cluster;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "nodes", description = "The server nodes sharing this database")
public class NodeController {
    private final NodePresence presence;
    private final ClusterMembership membership;

    public NodeController(NodePresence presence, ClusterMembership membership) {
        this.presence = presence;
        this.membership = membership;
    }

    /**
     * A live node.
     *
     * @param advertiseAddress     what agents dial to reach it (null on a single node)
     * @param sessions             agent sessions it held at its last heartbeat
     * @param lastHeartbeat        its last heartbeat, on the database's clock
     * @param heartbeatAgeMillis   how long ago that was
     * @param self                 whether it is the node that answered
     */
    public record NodeView(String nodeId, String advertiseAddress, String version, Instant startedAt,
            Instant lastHeartbeat, long heartbeatAgeMillis, int sessions, boolean self) {
    }

    @GetMapping("/api/v1/nodes")
    @Operation(summary = "Live server nodes: address, version, sessions, last heartbeat; dead ones drop out "
            + "after tunnel.server.cluster.node-expiry")
    public List<NodeView> list() {
        return presence.liveNodes(membership.nodeExpiry()).stream()
                .map(n -> new NodeView(n.nodeId(), n.advertiseAddress(), n.version(), n.startedAt(), n.heartbeatAt(),
                        n.heartbeatAge().toMillis(), n.sessions(), n.nodeId().equals(membership.nodeId())))
                .toList();
    }
}
