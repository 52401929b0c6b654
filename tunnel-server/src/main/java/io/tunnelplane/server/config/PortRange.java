package io.tunnelplane.server.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Ports the server may open for proxies, written like {@code 10000-20000,30000,40000-40010}. Parsing fails with a
 * message that names the offending part so that a bad {@code tunnel.server.allow-ports} stops startup clearly.
 */
public final class PortRange {
    private final List<int[]> ranges;
    private final String text;

    private PortRange(List<int[]> ranges, String text) {
        this.ranges = ranges;
        this.text = text;
    }

    public static PortRange parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("must list at least one port or range, e.g. 10000-20000");
        }
        List<int[]> ranges = new ArrayList<>();
        for (String part : text.split(",")) {
            String item = part.strip();
            int dash = item.indexOf('-');
            int low = port(dash < 0 ? item : item.substring(0, dash), item);
            int high = dash < 0 ? low : port(item.substring(dash + 1), item);
            if (low > high) {
                throw new IllegalArgumentException("'" + item + "' starts above its end");
            }
            ranges.add(new int[] {low, high});
        }
        return new PortRange(List.copyOf(ranges), text.strip());
    }

    private static int port(String value, String item) {
        try {
            int port = Integer.parseInt(value.strip());
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("'" + item + "' is outside 1-65535");
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + item + "' is not a port or a range like 10000-20000");
        }
    }

    public boolean contains(int port) {
        for (int[] range : ranges) {
            if (port >= range[0] && port <= range[1]) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return text;
    }
}
