package io.tunnelplane.server.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProxyHeaderTest {
    private static ByteBuf text(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    @Test
    void v1NamesTheVisitorAndItsLengthLeavesTheRest() {
        ByteBuf in = text("PROXY TCP6 2001:db8::7 ::1 40000 443\r\nGET /");
        ProxyHeader.Parsed header = ProxyHeader.parse(in);
        assertThat(header.visitor()).isEqualTo(new InetSocketAddress("2001:db8::7", 40000));
        assertThat(in.toString(header.length(), in.readableBytes() - header.length(), StandardCharsets.US_ASCII))
                .isEqualTo("GET /");
        assertThat(ProxyHeader.parse(text("PROXY UNKNOWN\r\n")).visitor()).isNull();
        in.release();
    }

    @Test
    void aHeaderCutShortWaitsForMoreAndOnlyThen() {
        assertThat(ProxyHeader.parse(text("PRO"))).isNull();
        assertThat(ProxyHeader.parse(text("PROXY TCP4 198.51.100.7"))).isNull();
        ByteBuf partialV2 = Unpooled.wrappedBuffer(new byte[] {0x0D, 0x0A, 0x0D, 0x0A});
        assertThat(ProxyHeader.parse(partialV2)).isNull();
    }

    @Test
    void v2LocalKeepsTheConnectionsOwnAddress() {
        ByteBuf in = Unpooled.buffer();
        in.writeBytes(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
        in.writeByte(0x20).writeByte(0x00).writeShort(0);
        ProxyHeader.Parsed header = ProxyHeader.parse(in);
        assertThat(header.length()).isEqualTo(16);
        assertThat(header.visitor()).isNull();
    }

    @Test
    void anythingElseFromATrustedBalancerIsRefusedAndNothingIsLookedUp() {
        assertThatThrownBy(() -> ProxyHeader.parse(text("GET / HTTP/1.1\r\n"))).hasMessageContaining("no PROXY");
        assertThatThrownBy(() -> ProxyHeader.parse(text("PROXY TCP4 balancer.example 1.2.3.4 1 2\r\n")))
                .hasMessageContaining("not an IP address");
        assertThatThrownBy(() -> ProxyHeader.parse(text("PROXY TCP4 1.2.3.4 1.2.3.4 70000 2\r\n")))
                .hasMessageContaining("port");
        assertThatThrownBy(() -> ProxyHeader.parse(text("PROXY " + "x".repeat(120))))
                .hasMessageContaining("longer than");
        assertThat(ProxyHeader.mayStartWithOne(text("POST / HTTP/1.1"))).isFalse();
        assertThat(ProxyHeader.mayStartWithOne(text("PROXY TCP4"))).isTrue();
    }
}
