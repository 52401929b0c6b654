package io.tunnelplane.server.vhost;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.nio.charset.StandardCharsets;

/**
 * The answers the HTTP virtual host gives itself when it cannot pass a request on: a short page that says why,
 * and a closed connection, never a hang.
 */
final class ErrorPages {
    private ErrorPages() {
    }

    static void send(Channel visitor, int status, String reason, String message) {
        send(visitor, status, reason, message, "");
    }

    /** With {@code extraHeaders}, each ending in CRLF (e.g. {@code WWW-Authenticate}). */
    static void send(Channel visitor, int status, String reason, String message, String extraHeaders) {
        send(visitor, status, reason, message, extraHeaders, false);
    }

    /** {@code bare}: the body is {@code message} alone, byte for byte (an ACME challenge answer). */
    static void send(Channel visitor, int status, String reason, String message, String extraHeaders, boolean bare) {
        String body = bare ? message : status + " " + reason + "\n\n" + message + "\n\n-- tunnelplane\n";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " " + reason + "\r\n" + extraHeaders
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + bytes.length + "\r\nConnection: close\r\nCache-Control: no-store\r\n\r\n";
        ByteBuf page = visitor.alloc().buffer(head.length() + bytes.length);
        page.writeCharSequence(head, StandardCharsets.US_ASCII);
        page.writeBytes(bytes);
        visitor.writeAndFlush(page).addListener(ChannelFutureListener.CLOSE);
    }
}
