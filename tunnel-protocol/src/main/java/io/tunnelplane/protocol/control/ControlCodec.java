package io.tunnelplane.protocol.control;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.tunnelplane.protocol.ProtocolException;
import io.tunnelplane.protocol.Wire;
import java.util.ArrayList;
import java.util.List;

/** Binary form of control messages: {@code u32 length | u8 type | body}, every field bounds-checked. */
public final class ControlCodec {
    public static final int MAX_MESSAGE = 1 << 20;
    static final int MAX_PROXIES = 10_000;
    static final int MAX_NAMES = 256;

    private static final byte PROXY_LIST = 1;
    private static final byte PROXY_STATUS = 2;
    private static final byte HOST_REPORT = 3;
    private static final byte CLUSTER_NODES = 4;
    /** A proxy's flags byte (protocol 3; protocol 2 had only the PROXY protocol as a boolean). */
    private static final int PROXY_PROTOCOL = 1;
    private static final int LOCAL_TLS = 2;

    private ControlCodec() {
    }

    public static ByteBuf encode(ControlMessage message, ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer(256);
        out.writeInt(0);
        if (message instanceof ControlMessage.ProxyList list) {
            out.writeByte(PROXY_LIST);
            out.writeLong(list.version());
            out.writeInt(list.proxies().size());
            for (ProxySpec proxy : list.proxies()) {
                out.writeLong(proxy.id());
                Wire.writeString(out, proxy.name());
                Wire.writeString(out, proxy.type());
                Wire.writeString(out, proxy.localHost());
                out.writeShort(proxy.localPort());
                out.writeShort(proxy.remotePort());
                writeStrings(out, proxy.domains());
                writeStrings(out, proxy.locations());
                Wire.writeString(out, proxy.hostRewrite());
                out.writeByte((proxy.proxyProtocol() ? PROXY_PROTOCOL : 0) | (proxy.localTls() ? LOCAL_TLS : 0));
            }
        } else if (message instanceof ControlMessage.ProxyStatus status) {
            out.writeByte(PROXY_STATUS);
            out.writeLong(status.proxyId());
            Wire.writeString(out, status.state());
            Wire.writeString(out, status.detail());
        } else if (message instanceof ControlMessage.HostReport host) {
            out.writeByte(HOST_REPORT);
            out.writeLong(host.openFiles());
            out.writeLong(host.maxFiles());
            out.writeLong(host.memoryAvailableBytes());
            out.writeLong(host.memoryTotalBytes());
        } else if (message instanceof ControlMessage.ClusterNodes cluster) {
            out.writeByte(CLUSTER_NODES);
            writeStrings(out, cluster.nodes());
        }
        out.setInt(0, out.readableBytes() - 4);
        return out;
    }

    private static void writeStrings(ByteBuf out, List<String> values) {
        out.writeShort(values.size());
        for (String value : values) {
            Wire.writeString(out, value);
        }
    }

    private static List<String> readStrings(ByteBuf body) {
        int count = Wire.readUnsignedShort(body);
        if (count > MAX_NAMES) {
            throw new ProtocolException("list of " + count + " names exceeds " + MAX_NAMES);
        }
        List<String> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            values.add(Wire.readString(body));
        }
        return values;
    }

    /** Decodes one message body (length prefix stripped). */
    public static ControlMessage decode(ByteBuf body) {
        byte type = Wire.readByte(body);
        ControlMessage message;
        if (type == PROXY_LIST) {
            long version = Wire.readLong(body);
            int count = Wire.readInt(body);
            if (count < 0 || count > MAX_PROXIES) {
                throw new ProtocolException("proxy list of " + count + " entries exceeds " + MAX_PROXIES);
            }
            List<ProxySpec> proxies = new ArrayList<>(Math.min(count, 64));
            for (int i = 0; i < count; i++) {
                long id = Wire.readLong(body);
                String name = Wire.readString(body);
                String proxyType = Wire.readString(body);
                String localHost = Wire.readString(body);
                int localPort = Wire.readUnsignedShort(body);
                int remotePort = Wire.readUnsignedShort(body);
                List<String> domains = readStrings(body);
                List<String> locations = readStrings(body);
                String hostRewrite = Wire.readString(body);
                int flags = Wire.readByte(body);
                if ((flags & ~(PROXY_PROTOCOL | LOCAL_TLS)) != 0) {
                    throw new ProtocolException("proxy " + name + " has unknown flags " + flags);
                }
                proxies.add(new ProxySpec(id, name, proxyType, localHost, localPort, remotePort, domains, locations,
                        hostRewrite, (flags & PROXY_PROTOCOL) != 0, (flags & LOCAL_TLS) != 0));
            }
            message = new ControlMessage.ProxyList(version, proxies);
        } else if (type == PROXY_STATUS) {
            message = new ControlMessage.ProxyStatus(Wire.readLong(body), Wire.readString(body),
                    Wire.readString(body));
        } else if (type == HOST_REPORT) {
            message = new ControlMessage.HostReport(Wire.readLong(body), Wire.readLong(body), Wire.readLong(body),
                    Wire.readLong(body));
        } else if (type == CLUSTER_NODES) {
            message = new ControlMessage.ClusterNodes(readStrings(body));
        } else {
            throw new ProtocolException("unknown control message type " + type);
        }
        if (body.isReadable()) {
            throw new ProtocolException("control message has " + body.readableBytes() + " trailing bytes");
        }
        return message;
    }
}
