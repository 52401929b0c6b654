package io.tunnelplane.server.vhost;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;

/**
 * What routing and the site's gate need from the first request of a connection, read from raw bytes without
 * consuming them: the method, the host (from {@code Host}, or an absolute request target), the target and its
 * path, and the headers (for basic auth and the sign-on cookie).
 */
record HttpRequestHead(String method, String host, String target, HttpHeaders headers) {
    static final int MAX_HEAD = 16 * 1024;
    private static final byte[] END = {'\r', '\n', '\r', '\n'};

    /** The head, or null while it is incomplete. Throws {@link IllegalArgumentException} for a malformed one. */
    static HttpRequestHead parse(ByteBuf in) {
        int end = ByteBufUtil.indexOf(Unpooled.wrappedBuffer(END), in);
        if (end < 0) {
            if (in.readableBytes() > MAX_HEAD) {
                throw new IllegalArgumentException("request head larger than " + MAX_HEAD + " bytes");
            }
            return null;
        }
        String head = in.toString(in.readerIndex(), end - in.readerIndex(), StandardCharsets.ISO_8859_1);
        String[] lines = head.split("\r\n");
        String[] requestLine = lines[0].split(" ");
        if (requestLine.length != 3 || !requestLine[2].startsWith("HTTP/1.")) {
            throw new IllegalArgumentException("not an HTTP/1.x request line");
        }
        String target = requestLine[1];
        String host = null;
        if (target.startsWith("http://") || target.startsWith("https://")) {
            String rest = target.substring(target.indexOf("//") + 2);
            int slash = rest.indexOf('/');
            host = slash < 0 ? rest : rest.substring(0, slash);
            target = slash < 0 ? "/" : rest.substring(slash);
        }
        HttpHeaders headers = new DefaultHttpHeaders(false);
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.add(lines[i].substring(0, colon).strip(), lines[i].substring(colon + 1).strip());
            }
        }
        if (host == null) {
            host = headers.get("Host");
        }
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("no Host header");
        }
        return new HttpRequestHead(requestLine[0], host, target, headers);
    }

    /** The target's path: what locations are matched against. */
    String path() {
        return pathOf(target);
    }

    /** A request target without its query. */
    static String pathOf(String target) {
        int query = target.indexOf('?');
        return query < 0 ? target : target.substring(0, query);
    }
}
