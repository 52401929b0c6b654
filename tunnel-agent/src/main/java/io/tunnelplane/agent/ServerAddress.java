package io.tunnelplane.agent;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * One server the agent dials: a host name or IP literal and the agent port. When a name resolves to several
 * addresses, each address is a server of its own ({@link ServerDirectory}): {@code address} is then the one this
 * entry dials, while the name still goes out as SNI and is checked against a CA certificate.
 */
public record ServerAddress(String host, int port, InetAddress address) {

    public ServerAddress(String host, int port) {
        this(host, port, null);
    }

    /** This server name at one of its addresses. */
    public ServerAddress at(InetAddress resolved) {
        return new ServerAddress(host, port, resolved);
    }

    /** Where to connect: the pinned address, or the name for the connector to resolve. */
    public InetSocketAddress socketAddress() {
        return address != null ? new InetSocketAddress(address, port) : InetSocketAddress.createUnresolved(host, port);
    }

    @Override
    public String toString() {
        String name = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        return address == null ? name : name + " (" + address.getHostAddress() + ")";
    }

    /** Parses {@code host:port} (IPv6 as {@code [::1]:7000}); the message names the option. */
    public static ServerAddress parse(String server) {
        if (server == null || server.isBlank()) {
            throw new IllegalArgumentException("--server (or TUNNEL_SERVER) is required, e.g. --server tunnel.example.com:7000");
        }
        String value = server.strip();
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw new IllegalArgumentException("--server must be HOST:PORT, got '" + value + "'");
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        String port = value.substring(colon + 1);
        try {
            int parsed = Integer.parseInt(port);
            if (parsed < 1 || parsed > 65535) {
                throw new NumberFormatException();
            }
            return new ServerAddress(host, parsed);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--server port must be 1-65535, got '" + port + "'");
        }
    }

    /** Parses a comma-separated list ({@code a:7000,b:7000}); duplicates are dropped, order is kept. */
    public static List<ServerAddress> parseList(String servers) {
        if (servers == null || servers.isBlank()) {
            return List.of(parse(servers));
        }
        List<ServerAddress> parsed = new ArrayList<>();
        for (String one : servers.split(",")) {
            if (one.isBlank()) {
                throw new IllegalArgumentException("--server has an empty entry in '" + servers.strip() + "'");
            }
            ServerAddress address = parse(one);
            if (!parsed.contains(address)) {
                parsed.add(address);
            }
        }
        return List.copyOf(parsed);
    }
}
