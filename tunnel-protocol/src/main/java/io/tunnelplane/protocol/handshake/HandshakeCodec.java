package io.tunnelplane.protocol.handshake;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.tunnelplane.protocol.ProtocolException;
import io.tunnelplane.protocol.Wire;
import java.util.ArrayList;
import java.util.List;

/**
 * Binary form of the handshake: {@code u32 length | u8 type | body}. Decoding validates every field length, so a
 * hostile or confused peer gets a {@link ProtocolException} and never an allocation beyond {@link #MAX_FRAME}.
 */
public final class HandshakeCodec {
    public static final int MAX_FRAME = 16 * 1024;
    static final int MAGIC = 0x54554E4C; // "TUNL": lets an agent tell our port from anything else
    static final int NONCE_BYTES = 32;
    static final int PROOF_BYTES = 32;

    private static final byte SERVER_HELLO = 1;
    private static final byte LOGIN = 2;
    private static final byte LOGIN_ACCEPTED = 3;
    private static final byte LOGIN_REFUSED = 4;

    private HandshakeCodec() {
    }

    /** Encodes one message including its length prefix. */
    public static ByteBuf encode(HandshakeMessage message, ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer(128);
        out.writeInt(0); // length, patched below
        if (message instanceof ServerHello hello) {
            out.writeByte(SERVER_HELLO);
            out.writeInt(MAGIC);
            out.writeShort(hello.protocolVersion());
            Wire.writeString(out, hello.serverVersion());
            Wire.writeBytes(out, hello.nonce());
            out.writeLong(hello.serverTimeMillis());
        } else if (message instanceof Login login) {
            out.writeByte(LOGIN);
            out.writeInt(MAGIC);
            out.writeShort(login.protocolVersion());
            Wire.writeString(out, login.clientId());
            Wire.writeBytes(out, login.agentNonce());
            Wire.writeBytes(out, login.proof());
            Wire.writeString(out, login.agentVersion());
            Wire.writeString(out, login.previousCause());
            out.writeInt(login.reconnectAttempts());
            out.writeLong(login.keepaliveTimeMillis());
            out.writeLong(login.keepaliveTimeoutMillis());
            out.writeInt(login.flags());
            Wire.writeString(out, truncate(login.host().os()));
            Wire.writeString(out, truncate(login.host().jvm()));
            Wire.writeString(out, truncate(login.host().hostname()));
            Wire.writeString(out, truncate(login.connectionId()));
            out.writeByte(login.connections());
        } else if (message instanceof LoginAccepted accepted) {
            out.writeByte(LOGIN_ACCEPTED);
            Wire.writeString(out, accepted.sessionId());
            out.writeLong(accepted.keepaliveTimeMillis());
            out.writeLong(accepted.keepaliveTimeoutMillis());
            Wire.writeBytes(out, accepted.serverProof());
            out.writeByte(accepted.clusterNodes().size());
            for (String node : accepted.clusterNodes()) {
                Wire.writeString(out, node);
            }
        } else if (message instanceof LoginRefused refused) {
            out.writeByte(LOGIN_REFUSED);
            Wire.writeString(out, refused.code());
            Wire.writeString(out, refused.message());
        }
        out.setInt(0, out.readableBytes() - 4);
        return out;
    }

    /** Decodes one frame body (type and fields, the length prefix already stripped). */
    public static HandshakeMessage decode(ByteBuf frame) {
        byte type = Wire.readByte(frame);
        HandshakeMessage message = switch (type) {
            case SERVER_HELLO -> {
                requireMagic(frame);
                yield new ServerHello(Wire.readUnsignedShort(frame), Wire.readString(frame),
                        Wire.readBytes(frame, NONCE_BYTES), Wire.readLong(frame));
            }
            case LOGIN -> {
                requireMagic(frame);
                yield new Login(Wire.readUnsignedShort(frame), Wire.readString(frame),
                        Wire.readBytes(frame, NONCE_BYTES), Wire.readBytes(frame, PROOF_BYTES),
                        Wire.readString(frame), Wire.readString(frame), Wire.readInt(frame),
                        Wire.readLong(frame), Wire.readLong(frame), Wire.readInt(frame),
                        new AgentHost(Wire.readString(frame), Wire.readString(frame), Wire.readString(frame)),
                        Wire.readString(frame), Wire.readByte(frame));
            }
            case LOGIN_ACCEPTED -> new LoginAccepted(Wire.readString(frame), Wire.readLong(frame),
                    Wire.readLong(frame), Wire.readBytes(frame, PROOF_BYTES), readNodes(frame));
            case LOGIN_REFUSED -> new LoginRefused(Wire.readString(frame), Wire.readString(frame));
            default -> throw new ProtocolException("unknown handshake message type " + type);
        };
        if (frame.isReadable()) {
            throw new ProtocolException("handshake message has " + frame.readableBytes() + " trailing bytes");
        }
        return message;
    }

    private static List<String> readNodes(ByteBuf frame) {
        int count = Wire.readByte(frame) & 0xff;
        if (count > LoginAccepted.MAX_CLUSTER_NODES) {
            throw new ProtocolException("login answer names " + count + " cluster nodes, at most "
                    + LoginAccepted.MAX_CLUSTER_NODES);
        }
        List<String> nodes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            nodes.add(Wire.readString(frame));
        }
        return nodes;
    }

    private static String truncate(String value) {
        return value == null ? "" : value.length() > 200 ? value.substring(0, 200) : value;
    }

    private static void requireMagic(ByteBuf frame) {
        if (Wire.readInt(frame) != MAGIC) {
            throw new ProtocolException("not a tunnel endpoint (bad magic)");
        }
    }
}
