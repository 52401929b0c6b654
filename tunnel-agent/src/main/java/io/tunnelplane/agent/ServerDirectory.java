package io.tunnelplane.agent;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The servers the agent dials, as configured and as their names resolve. A name with several addresses stands for
 * several servers, one per address, exactly as if they had been listed in {@code --server}; a name with one
 * address is left for the connector to resolve at each dial. Resolving blocks, so it runs at start on the caller's
 * thread and later on a timer thread, never on an event loop; an address that changed is picked up at the next
 * refresh.
 */
final class ServerDirectory {
    private static final Logger log = LoggerFactory.getLogger("io.tunnelplane.agent");

    /** Name resolution, replaceable in tests. */
    interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final List<ServerAddress> configured;
    private final Resolver resolver;
    private volatile List<ServerAddress> current;

    ServerDirectory(List<ServerAddress> configured, Resolver resolver) {
        this.configured = List.copyOf(configured);
        this.resolver = resolver;
        this.current = this.configured;
    }

    /** The servers to dial now: never empty. */
    List<ServerAddress> current() {
        return current;
    }

    /** True when some configured server is a name, so refreshing can change anything. */
    boolean hasNames() {
        return configured.stream().anyMatch(server -> !isLiteral(server.host()));
    }

    /** Resolves every name again (blocking); logs when the list of servers changed. */
    void refresh() {
        List<ServerAddress> expanded = expand(configured, resolver);
        if (!expanded.equals(current)) {
            current = expanded;
            log.info("servers {} now stand for {}", configured, expanded);
        }
    }

    static List<ServerAddress> expand(List<ServerAddress> configured, Resolver resolver) {
        List<ServerAddress> expanded = new ArrayList<>();
        for (ServerAddress server : configured) {
            InetAddress[] addresses = new InetAddress[0];
            if (!isLiteral(server.host())) {
                try {
                    addresses = resolver.resolve(server.host());
                } catch (UnknownHostException e) {
                    // Left to the connector, whose failure names the host; the next refresh tries again.
                    log.debug("cannot resolve {} now: {}", server.host(), e.getMessage());
                }
            }
            if (addresses.length <= 1) {
                add(expanded, server);
            } else {
                for (InetAddress address : addresses) {
                    add(expanded, server.at(address));
                }
            }
        }
        return List.copyOf(expanded);
    }

    private static void add(List<ServerAddress> servers, ServerAddress server) {
        if (!servers.contains(server)) {
            servers.add(server);
        }
    }

    private static boolean isLiteral(String host) {
        return NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host);
    }
}
