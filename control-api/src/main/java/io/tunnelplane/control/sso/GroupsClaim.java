package io.tunnelplane.control.sso;

import java.util.List;

/** A provider's groups claim as names: providers send a list, or a single string for one group. */
public final class GroupsClaim {
    private GroupsClaim() {
    }

    public static List<String> of(Object claim) {
        if (claim instanceof List<?> list) {
            return list.stream().map(String::valueOf).toList();
        }
        return claim instanceof String single ? List.of(single) : List.of();
    }
}
