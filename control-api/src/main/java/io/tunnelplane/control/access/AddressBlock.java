package io.tunnelplane.control.access;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 address or CIDR block as operators write them: {@code 203.0.113.7}, {@code 10.0.0.0/8},
 * {@code ::1}, {@code 2001:db8::/32}. Parsed without any name lookup (a host name is refused, never resolved).
 */
public final class AddressBlock {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    public static final String RULE = "an IP address or CIDR block (203.0.113.0/24, 2001:db8::/32)";

    private final byte[] network;
    private final int prefix;
    private final String text;

    private AddressBlock(byte[] network, int prefix, String text) {
        this.network = network;
        this.prefix = prefix;
        this.text = text;
    }

    /** The block {@code text} writes; an {@link IllegalArgumentException} saying why when it is not one. */
    public static AddressBlock parse(String text) {
        String trimmed = text == null ? "" : text.strip();
        int slash = trimmed.indexOf('/');
        String address = slash < 0 ? trimmed : trimmed.substring(0, slash);
        boolean v4 = IPV4.matcher(address).matches();
        if (v4 ? !octetsFit(address) : !IPV6.matcher(address).matches()) {
            throw new IllegalArgumentException("'" + trimmed + "' is not " + RULE);
        }
        byte[] bytes;
        try {
            // A literal: getByName parses it and looks nothing up.
            bytes = InetAddress.getByName(address).getAddress();
        } catch (UnknownHostException | SecurityException e) {
            throw new IllegalArgumentException("'" + trimmed + "' is not " + RULE);
        }
        int max = bytes.length * 8;
        int prefix = max;
        if (slash >= 0) {
            String bits = trimmed.substring(slash + 1);
            if (!bits.matches("\\d{1,3}") || Integer.parseInt(bits) > max) {
                throw new IllegalArgumentException("'" + trimmed + "' has a prefix length outside 0-" + max);
            }
            prefix = Integer.parseInt(bits);
        }
        return new AddressBlock(mask(bytes, prefix), prefix, trimmed);
    }

    /** Whether {@code address} falls inside the block (an IPv4 block never holds an IPv6 address, and back). */
    public boolean contains(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (bytes.length != network.length) {
            return false;
        }
        int whole = prefix / 8;
        for (int i = 0; i < whole; i++) {
            if (bytes[i] != network[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        return rest == 0 || ((bytes[whole] ^ network[whole]) & (0xff << (8 - rest))) == 0;
    }

    /** Checked here: a dotted quad that is no address would otherwise be looked up as a host name. */
    private static boolean octetsFit(String dotted) {
        for (String octet : dotted.split("\\.")) {
            if (Integer.parseInt(octet) > 255) {
                return false;
            }
        }
        return true;
    }

    private static byte[] mask(byte[] bytes, int prefix) {
        byte[] masked = bytes.clone();
        for (int bit = prefix; bit < masked.length * 8; bit++) {
            masked[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        return masked;
    }

    @Override
    public String toString() {
        return text;
    }
}
