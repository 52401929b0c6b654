package io.tunnelplane.server.vhost;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Reads the server name (SNI) out of a TLS ClientHello without consuming or decrypting anything. Every length is
 * checked against what is there: a hostile or truncated hello yields {@link #NOT_TLS} or {@link #NEED_MORE}, never
 * an exception.
 */
final class ClientHelloSni {
    static final String NEED_MORE = "\0more";
    static final String NOT_TLS = "\0not-tls";
    static final String NO_NAME = "\0no-name";

    private ClientHelloSni() {
    }

    /** The server name, or one of the markers above. */
    static String serverName(ByteBuf in) {
        int base = in.readerIndex();
        int available = in.readableBytes();
        if (available < 5) {
            return NEED_MORE;
        }
        if (in.getUnsignedByte(base) != 0x16 || in.getUnsignedByte(base + 1) != 3) {
            return NOT_TLS;
        }
        int recordLength = in.getUnsignedShort(base + 3);
        if (available < 5 + recordLength) {
            return NEED_MORE;
        }
        int p = base + 5;
        int end = p + recordLength;
        if (recordLength < 4 || in.getUnsignedByte(p) != 1) {
            return NOT_TLS;
        }
        int helloEnd = Math.min(end, p + 4 + in.getUnsignedMedium(p + 1));
        p += 4 + 2 + 32; // handshake header, client version, random
        if (p + 1 > helloEnd) {
            return NOT_TLS;
        }
        p += 1 + in.getUnsignedByte(p); // session id
        if (p + 2 > helloEnd) {
            return NOT_TLS;
        }
        p += 2 + in.getUnsignedShort(p); // cipher suites
        if (p + 1 > helloEnd) {
            return NOT_TLS;
        }
        p += 1 + in.getUnsignedByte(p); // compression methods
        if (p + 2 > helloEnd) {
            return NO_NAME; // no extensions at all
        }
        int extensionsEnd = Math.min(helloEnd, p + 2 + in.getUnsignedShort(p));
        p += 2;
        while (p + 4 <= extensionsEnd) {
            int type = in.getUnsignedShort(p);
            int length = in.getUnsignedShort(p + 2);
            p += 4;
            if (p + length > extensionsEnd) {
                return NOT_TLS;
            }
            if (type == 0 && length >= 5 && in.getUnsignedByte(p + 2) == 0) {
                int nameLength = in.getUnsignedShort(p + 3);
                if (nameLength == 0 || p + 5 + nameLength > p + length) {
                    return NOT_TLS;
                }
                return in.toString(p + 5, nameLength, StandardCharsets.US_ASCII);
            }
            p += length;
        }
        return NO_NAME;
    }
}
