package io.tunnelplane.control.access;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Who may visit a proxy, by source address: a deny entry always wins; an empty allow list admits everyone else.
 * A proxy's own allow list replaces the server's default one; deny lists add up.
 */
public record SourceRules(List<AddressBlock> allow, List<AddressBlock> deny) {
    public static final SourceRules OPEN = new SourceRules(List.of(), List.of());

    public SourceRules {
        allow = List.copyOf(allow);
        deny = List.copyOf(deny);
    }

    /** Rules from their written entries; an {@link IllegalArgumentException} names the first bad one. */
    public static SourceRules of(List<String> allow, List<String> deny) {
        return new SourceRules(blocks(allow), blocks(deny));
    }

    public boolean admits(InetAddress source) {
        for (AddressBlock block : deny) {
            if (block.contains(source)) {
                return false;
            }
        }
        if (allow.isEmpty()) {
            return true;
        }
        for (AddressBlock block : allow) {
            if (block.contains(source)) {
                return true;
            }
        }
        return false;
    }

    /** These rules under the server's defaults: the defaults' deny entries too, their allow list when none here. */
    public SourceRules under(SourceRules defaults) {
        List<AddressBlock> denied = new ArrayList<>(defaults.deny());
        denied.addAll(deny);
        return new SourceRules(allow.isEmpty() ? defaults.allow() : allow, denied);
    }

    public boolean isOpen() {
        return allow.isEmpty() && deny.isEmpty();
    }

    private static List<AddressBlock> blocks(List<String> entries) {
        return entries == null ? List.of() : entries.stream().map(AddressBlock::parse).toList();
    }
}
