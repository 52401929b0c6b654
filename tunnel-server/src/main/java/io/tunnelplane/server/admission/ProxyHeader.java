package io.tunnelplane.server.admission;

import io.netty.buffer.ByteBuf;
import io.tunnelplane.control.access.AddressBlock;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/**
 * The PROXY protocol header (v1 text or v2 binary, as HAProxy's {@code send-proxy} and {@code send-proxy-v2} write
 * it) that a load balancer puts before a visitor's bytes to say whom it forwards: parsed here, never resolved.
 */
final class ProxyHeader {
    static final int V1_MAX = 107;
    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    private static final byte[] V1_PREFIX = "PROXY ".getBytes(StandardCharsets.US_ASCII);

    /**
     * A complete header: its length and the visitor it names (null for v2 {@code LOCAL} and v1 {@code UNKNOWN}: the
     * connection's own address stands).
     */
    record Parsed(int length, InetSocketAddress visitor) {
    }

    private ProxyHeader() {
    }

    /** Whether {@code in} starts like a header, or could (too few bytes to tell yet is "could"). */
    static boolean mayStartWithOne(ByteBuf in) {
        return startsWith(in, V1_PREFIX) || startsWith(in, V2_SIGNATURE);
    }

    /** The header at the start of {@code in}, null while incomplete; {@link IllegalArgumentException} if malformed. */
    static Parsed parse(ByteBuf in) {
        if (startsWith(in, V2_SIGNATURE)) {
            return in.readableBytes() < V2_SIGNATURE.length ? null : v2(in);
        }
        if (startsWith(in, V1_PREFIX)) {
            return in.readableBytes() < V1_PREFIX.length ? null : v1(in);
        }
        throw new IllegalArgumentException("no PROXY protocol header from a trusted load balancer");
    }

    private static Parsed v1(ByteBuf in) {
        int end = -1;
        for (int i = 0; i + 1 < Math.min(in.readableBytes(), V1_MAX); i++) {
            if (in.getByte(in.readerIndex() + i) == '\r' && in.getByte(in.readerIndex() + i + 1) == '\n') {
                end = i;
                break;
            }
        }
        if (end < 0) {
            if (in.readableBytes() >= V1_MAX) {
                throw new IllegalArgumentException("PROXY v1 header longer than " + V1_MAX + " bytes");
            }
            return null;
        }
        String[] parts = in.toString(in.readerIndex(), end, StandardCharsets.US_ASCII).split(" ");
        if (parts.length >= 2 && parts[1].equals("UNKNOWN")) {
            return new Parsed(end + 2, null);
        }
        if (parts.length != 6 || !(parts[1].equals("TCP4") || parts[1].equals("TCP6"))) {
            throw new IllegalArgumentException("malformed PROXY v1 header");
        }
        return new Parsed(end + 2, new InetSocketAddress(literal(parts[2]), port(parts[4])));
    }

    private static Parsed v2(ByteBuf in) {
        int start = in.readerIndex();
        if (in.readableBytes() < 16) {
            return null;
        }
        int versionCommand = in.getUnsignedByte(start + 12);
        int family = in.getUnsignedByte(start + 13);
        int length = in.getUnsignedShort(start + 14);
        if (versionCommand >> 4 != 2) {
            throw new IllegalArgumentException("PROXY v2 header of version " + (versionCommand >> 4));
        }
        if (in.readableBytes() < 16 + length) {
            return null;
        }
        if ((versionCommand & 0x0F) == 0) {
            return new Parsed(16 + length, null); // LOCAL: the balancer's own health check
        }
        byte[] address;
        int port;
        if (family >> 4 == 1 && length >= 12) {
            address = new byte[4];
            in.getBytes(start + 16, address);
            port = in.getUnsignedShort(start + 24);
        } else if (family >> 4 == 2 && length >= 36) {
            address = new byte[16];
            in.getBytes(start + 16, address);
            port = in.getUnsignedShort(start + 48);
        } else {
            return new Parsed(16 + length, null); // UNSPEC or a family without an IP address
        }
        try {
            return new Parsed(16 + length, new InetSocketAddress(InetAddress.getByAddress(address), port));
        } catch (UnknownHostException impossible) {
            throw new IllegalArgumentException("PROXY v2 address", impossible);
        }
    }

    private static InetAddress literal(String address) {
        try {
            AddressBlock.parse(address); // refuses anything but a literal, so the lookup below never resolves
        } catch (IllegalArgumentException notLiteral) {
            throw new IllegalArgumentException("PROXY v1 address is not an IP address");
        }
        try {
            return InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("PROXY v1 address is not a literal");
        }
    }

    private static int port(String text) {
        if (!text.matches("\\d{1,5}") || Integer.parseInt(text) > 65535) {
            throw new IllegalArgumentException("PROXY v1 port");
        }
        return Integer.parseInt(text);
    }

    /** Whether the readable bytes so far match the start of {@code prefix} (all of them, or all of it). */
    private static boolean startsWith(ByteBuf in, byte[] prefix) {
        int n = Math.min(in.readableBytes(), prefix.length);
        if (n == 0) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (in.getByte(in.readerIndex() + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
