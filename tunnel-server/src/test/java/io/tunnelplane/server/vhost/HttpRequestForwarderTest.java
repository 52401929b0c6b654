package io.tunnelplane.server.vhost;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequestDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HttpRequestForwarderTest {
    private static final HttpRequestForwarder.Gate OPEN = new HttpRequestForwarder.Gate() {
        @Override
        public boolean admit(String method, String target, HttpHeaders headers) {
            return true;
        }

        @Override
        public String user() {
            return null;
        }
    };

    /**
     * A node that starts draining between routing a connection and replaying its first request has no live route
     * for it any more: that request was decided and must go on; a later one on the connection is asked again.
     */
    @Test
    void theRoutedFirstRequestGoesOnAfterItsRouteWentAwayWhileALaterOneClosesTheConnection() {
        AtomicInteger asked = new AtomicInteger();
        HttpResponseWatch responses = new HttpResponseWatch(Duration.ofSeconds(30), (request, status) -> {
        }, () -> {
        });
        EmbeddedChannel visitor = new EmbeddedChannel(responses, new HttpRequestDecoder(),
                new HttpRequestForwarder("", request -> {
                    asked.incrementAndGet();
                    return false; // the route is gone: the node is draining
                }, OPEN, responses));

        visitor.writeInbound(ascii("GET /first HTTP/1.1\r\nHost: shop.test\r\n\r\n"));
        assertThat(forwarded(visitor)).startsWith("GET /first HTTP/1.1").contains("X-Forwarded-Host: shop.test");
        assertThat(visitor.isOpen()).isTrue();
        assertThat(asked).hasValue(0);

        visitor.writeInbound(ascii("GET /second HTTP/1.1\r\nHost: shop.test\r\n\r\n"));
        assertThat(asked).hasValue(1);
        assertThat(visitor.isOpen()).isFalse();
        assertThat(forwarded(visitor)).isEmpty();
        visitor.finishAndReleaseAll();
    }

    private static ByteBuf ascii(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
    }

    private static String forwarded(EmbeddedChannel visitor) {
        StringBuilder out = new StringBuilder();
        ByteBuf bytes;
        while ((bytes = visitor.readInbound()) != null) {
            out.append(bytes.toString(StandardCharsets.US_ASCII));
            bytes.release();
        }
        return out.toString();
    }
}
