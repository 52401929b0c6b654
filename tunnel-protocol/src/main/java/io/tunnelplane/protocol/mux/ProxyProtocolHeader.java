package io.tunnelplane.protocol.mux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The binary PROXY protocol v2 header (HAProxy's proxy-protocol.txt, section 2.2) an agent writes first on a local
 * connection, so a service behind the tunnel sees the visitor's address instead of the agent's. TCP over IPv4 when
 * both ends are IPv4, otherwise over IPv6 with IPv4 addresses mapped; {@code LOCAL} when the addresses are unknown.
 */
public final class ProxyProtocolHeader {
    private static final byte[] SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
    private static final int VERSION_2_PROXY = 0x21;
    private static final int VERSION_2_LOCAL = 0x20;
    private static final int TCP_OVER_IPV4 = 0x11;
    private static final int TCP_OVER_IPV6 = 0x21;
    private static final int UNSPECIFIED = 0x00;

    private ProxyProtocolHeader() {
    }

    public static ByteBuf v2(ByteBufAllocator alloc, InetSocketAddress source, InetSocketAddress target) {
        ByteBuf out = alloc.buffer(16 + 36).writeBytes(SIGNATURE);
        if (source == null || target == null) {
            return out.writeByte(VERSION_2_LOCAL).writeByte(UNSPECIFIED).writeShort(0);
        }
        boolean ipv4 = source.getAddress() instanceof Inet4Address && target.getAddress() instanceof Inet4Address;
        out.writeByte(VERSION_2_PROXY).writeByte(ipv4 ? TCP_OVER_IPV4 : TCP_OVER_IPV6).writeShort(ipv4 ? 12 : 36);
        out.writeBytes(bytes(source.getAddress(), ipv4)).writeBytes(bytes(target.getAddress(), ipv4));
        return out.writeShort(source.getPort()).writeShort(target.getPort());
    }

    private static byte[] bytes(InetAddress address, boolean ipv4) {
        byte[] raw = address.getAddress();
        if (ipv4 || raw.length == 16) {
            return raw;
        }
        byte[] mapped = new byte[16]; // ::ffff:a.b.c.d
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(raw, 0, mapped, 12, 4);
        return mapped;
    }
}
