package io.tunnelplane.protocol.mux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.handler.codec.http2.Http2Headers;
import io.tunnelplane.protocol.ProtocolException;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** The header the agent writes is what an independent PROXY protocol decoder (Netty's HAProxy codec) reads. */
class ProxyProtocolHeaderTest {

    @Test
    void ipv4VisitorAndListener() {
        HAProxyMessage message = decode(ProxyProtocolHeader.v2(ByteBufAllocator.DEFAULT,
                new InetSocketAddress("203.0.113.7", 51234), new InetSocketAddress("198.51.100.1", 443)));
        assertThat(message.protocolVersion()).isEqualTo(HAProxyProtocolVersion.V2);
        assertThat(message.command()).isEqualTo(HAProxyCommand.PROXY);
        assertThat(message.proxiedProtocol()).isEqualTo(HAProxyProxiedProtocol.TCP4);
        assertThat(message.sourceAddress()).isEqualTo("203.0.113.7");
        assertThat(message.sourcePort()).isEqualTo(51234);
        assertThat(message.destinationAddress()).isEqualTo("198.51.100.1");
        assertThat(message.destinationPort()).isEqualTo(443);
        message.release();
    }

    @Test
    void ipv6AndAnIpv4VisitorOnADualStackListener() {
        HAProxyMessage v6 = decode(ProxyProtocolHeader.v2(ByteBufAllocator.DEFAULT,
                new InetSocketAddress("2001:db8::7", 40000), new InetSocketAddress("2001:db8::1", 80)));
        assertThat(v6.proxiedProtocol()).isEqualTo(HAProxyProxiedProtocol.TCP6);
        assertThat(v6.sourceAddress()).isEqualTo("2001:db8:0:0:0:0:0:7");
        assertThat(v6.destinationPort()).isEqualTo(80);
        v6.release();

        HAProxyMessage mixed = decode(ProxyProtocolHeader.v2(ByteBufAllocator.DEFAULT,
                new InetSocketAddress("192.0.2.9", 1234), new InetSocketAddress("2001:db8::1", 80)));
        assertThat(mixed.proxiedProtocol()).isEqualTo(HAProxyProxiedProtocol.TCP6);
        assertThat(mixed.sourceAddress()).isEqualTo("0:0:0:0:0:ffff:c000:209");
        assertThat(mixed.sourcePort()).isEqualTo(1234);
        mixed.release();
    }

    @Test
    void unknownAddressesSayLocal() {
        HAProxyMessage message = decode(ProxyProtocolHeader.v2(ByteBufAllocator.DEFAULT, null, null));
        assertThat(message.command()).isEqualTo(HAProxyCommand.LOCAL);
        message.release();
    }

    @Test
    void streamHeadersCarryBothAddressesAndRejectNamesThatAreNotIpLiterals() {
        StreamHeaders.ProxyStream open = new StreamHeaders.ProxyStream(7, StreamHeaders.ProxyStream.TCP,
                new InetSocketAddress("2001:db8::7", 40000), new InetSocketAddress("192.0.2.1", 8000));
        Http2Headers headers = StreamHeaders.proxy(open);
        assertThat(StreamHeaders.parseProxy(headers)).isEqualTo(open);

        headers.set(StreamHeaders.SOURCE, "example.com:80"); // would need a DNS lookup on the event loop
        assertThatThrownBy(() -> StreamHeaders.parseProxy(headers)).isInstanceOf(ProtocolException.class);
    }

    private static HAProxyMessage decode(ByteBuf header) {
        EmbeddedChannel channel = new EmbeddedChannel(new HAProxyMessageDecoder());
        ByteBuf payload = Unpooled.copiedBuffer(new byte[] {1, 2, 3});
        channel.writeInbound(Unpooled.wrappedBuffer(header, payload));
        HAProxyMessage message = channel.readInbound();
        ByteBuf rest = channel.readInbound();
        assertThat(rest.readableBytes()).as("the visitor's bytes follow the header untouched").isEqualTo(3);
        rest.release();
        channel.finishAndReleaseAll();
        return message;
    }
}
