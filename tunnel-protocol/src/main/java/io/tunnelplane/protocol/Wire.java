package io.tunnelplane.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/** Bounds-checked primitives for the binary messages: a malformed field is a {@link ProtocolException}. */
public final class Wire {
    public static final int MAX_STRING_BYTES = 4096;

    private Wire() {
    }

    public static void writeString(ByteBuf out, String value) {
        byte[] bytes = (value == null ? "" : value).getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_STRING_BYTES) {
            throw new IllegalArgumentException("string longer than " + MAX_STRING_BYTES + " bytes");
        }
        out.writeShort(bytes.length);
        out.writeBytes(bytes);
    }

    public static String readString(ByteBuf in) {
        int length = readUnsignedShort(in);
        if (length > MAX_STRING_BYTES || in.readableBytes() < length) {
            throw new ProtocolException("string field of " + length + " bytes does not fit the frame");
        }
        String value = in.toString(in.readerIndex(), length, StandardCharsets.UTF_8);
        in.skipBytes(length);
        return value;
    }

    public static void writeBytes(ByteBuf out, byte[] value) {
        out.writeShort(value.length);
        out.writeBytes(value);
    }

    public static byte[] readBytes(ByteBuf in, int maxLength) {
        int length = readUnsignedShort(in);
        if (length > maxLength || in.readableBytes() < length) {
            throw new ProtocolException("byte field of " + length + " bytes does not fit the frame");
        }
        byte[] value = new byte[length];
        in.readBytes(value);
        return value;
    }

    public static int readUnsignedShort(ByteBuf in) {
        require(in, 2);
        return in.readUnsignedShort();
    }

    public static int readInt(ByteBuf in) {
        require(in, 4);
        return in.readInt();
    }

    public static long readLong(ByteBuf in) {
        require(in, 8);
        return in.readLong();
    }

    public static byte readByte(ByteBuf in) {
        require(in, 1);
        return in.readByte();
    }

    private static void require(ByteBuf in, int bytes) {
        if (in.readableBytes() < bytes) {
            throw new ProtocolException("frame truncated: needed " + bytes + " more bytes");
        }
    }
}
