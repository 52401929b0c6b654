package io.tunnelplane.server.admission;

import io.tunnelplane.control.access.AddressBlock;
import io.tunnelplane.server.config.TunnelServerProperties;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * {@code tunnel.server.access.trusted-proxies}: the load balancers in front of the public ports whose PROXY protocol
 * header names the real visitor. Empty (the default): no header is read or expected anywhere.
 */
@Component
public class TrustedProxies {
    private final List<AddressBlock> blocks;

    public TrustedProxies(TunnelServerProperties properties) {
        this.blocks = properties.access().trustedProxies().stream().map(AddressBlock::parse).toList();
    }

    public boolean configured() {
        return !blocks.isEmpty();
    }

    public boolean trusts(SocketAddress peer) {
        return peer instanceof InetSocketAddress inet && inet.getAddress() != null
                && blocks.stream().anyMatch(block -> block.contains(inet.getAddress()));
    }
}
