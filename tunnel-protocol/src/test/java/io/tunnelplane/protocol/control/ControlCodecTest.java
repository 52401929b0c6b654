package io.tunnelplane.protocol.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.tunnelplane.protocol.ProtocolException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ControlCodecTest {

    @Test
    void proxyListSplitAcrossFramesIsReassembled() {
        ControlMessage.ProxyList list = new ControlMessage.ProxyList(7, List.of(
                new ProxySpec(1, "web", "tcp", "127.0.0.1", 8080, 10080),
                new ProxySpec(2, "ssh", "tcp", "db.internal", 22, 10022)));
        ByteBuf wire = ControlCodec.encode(list, ByteBufAllocator.DEFAULT);
        EmbeddedChannel channel = new EmbeddedChannel(new ControlStreamCodec());
        int half = wire.readableBytes() / 2;
        channel.writeInbound(new DefaultHttp2DataFrame(wire.readRetainedSlice(half)));
        assertThat((Object) channel.readInbound()).isNull();
        channel.writeInbound(new DefaultHttp2DataFrame(wire.readRetainedSlice(wire.readableBytes())));
        wire.release();
        assertThat((Object) channel.readInbound()).isEqualTo(list);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aMalformedMessageReleasesEverythingBufferedAtOnce() {
        ControlMessage.ProxyList list = new ControlMessage.ProxyList(7, List.of(
                new ProxySpec(1, "web", "tcp", "127.0.0.1", 8080, 10080)));
        ByteBuf wire = ControlCodec.encode(list, ByteBufAllocator.DEFAULT);
        ByteBuf start = wire.readRetainedSlice(wire.readableBytes() / 2);
        // the rest of a good message, then the start of one announcing an impossible length
        ByteBuf restThenGarbage = ByteBufAllocator.DEFAULT.directBuffer().writeBytes(wire).writeInt(-1).writeInt(7);
        wire.release();
        ByteBuf afterTheError = ByteBufAllocator.DEFAULT.directBuffer().writeLong(1);
        EmbeddedChannel channel = new EmbeddedChannel(new ControlStreamCodec());

        channel.writeInbound(new DefaultHttp2DataFrame(start));
        assertThatThrownBy(() -> channel.writeInbound(new DefaultHttp2DataFrame(restThenGarbage)))
                .isInstanceOf(ProtocolException.class);
        channel.writeInbound(new DefaultHttp2DataFrame(afterTheError));

        // released while the channel is still open: nothing waits for the session's teardown
        assertThat(channel.isOpen()).isTrue();
        assertThat(List.of(start, restThenGarbage, afterTheError)).allSatisfy(b -> assertThat(b.refCnt()).isZero());
        assertThat((Object) channel.readInbound()).isEqualTo(list);
        channel.finishAndReleaseAll();
    }

    @Test
    void aProxysFlagsRoundTripAndUnknownOnesAreRefused() {
        ProxySpec both = new ProxySpec(3, "app", "http", "127.0.0.1", 8443, 0, List.of("app.example"), List.of("/"),
                "", true, true);
        ProxySpec tlsOnly = new ProxySpec(4, "wiki", "http", "127.0.0.1", 8444, 0, List.of("wiki.example"),
                List.of("/"), "", false, true);
        ControlMessage.ProxyList list = new ControlMessage.ProxyList(9, List.of(both, tlsOnly));
        ByteBuf wire = ControlCodec.encode(list, ByteBufAllocator.DEFAULT);
        try {
            assertThat(ControlCodec.decode(wire.slice(4, wire.readableBytes() - 4))).isEqualTo(list);
            // The flags byte is the last of the last proxy: a bit no version defines is a protocol error.
            wire.setByte(wire.writerIndex() - 1, 0x06);
            assertThatThrownBy(() -> ControlCodec.decode(wire.slice(4, wire.readableBytes() - 4)))
                    .isInstanceOf(ProtocolException.class).hasMessageContaining("unknown flags 6");
        } finally {
            wire.release();
        }
    }

    @Test
    void statusRoundTrips() {
        ControlMessage.ProxyStatus status = new ControlMessage.ProxyStatus(3, ControlMessage.ProxyStatus.LOCAL_UNREACHABLE,
                "connection refused");
        assertThat(roundTrip(status)).isEqualTo(status);
    }

    @Test
    void hostReportRoundTrips() {
        ControlMessage.HostReport report = new ControlMessage.HostReport(42, 65_536, 3L << 30, 8L << 30);
        assertThat(roundTrip(report)).isEqualTo(report);
    }

    @Test
    void clusterNodesRoundTrip() {
        ControlMessage.ClusterNodes nodes = new ControlMessage.ClusterNodes(List.of("10.0.0.1:7000", "[::1]:7000"));
        assertThat(roundTrip(nodes)).isEqualTo(nodes);
    }

    /** Encodes {@code message} and decodes its body (length prefix skipped). */
    private static ControlMessage roundTrip(ControlMessage message) {
        ByteBuf wire = ControlCodec.encode(message, ByteBufAllocator.DEFAULT);
        wire.skipBytes(4);
        try {
            return ControlCodec.decode(wire);
        } finally {
            wire.release();
        }
    }

    @Test
    void announcedLengthBeyondTheLimitFailsBeforeBuffering() {
        EmbeddedChannel channel = new EmbeddedChannel(new ControlStreamCodec());
        ByteBuf header = Unpooled.buffer().writeInt(ControlCodec.MAX_MESSAGE + 1);
        assertThatThrownBy(() -> channel.writeInbound(new DefaultHttp2DataFrame(header)))
                .isInstanceOf(ProtocolException.class);
        channel.finishAndReleaseAll();
    }

    @Test
    void absurdProxyCountIsRejected() {
        ByteBuf body = Unpooled.buffer().writeByte(1).writeLong(1).writeInt(Integer.MAX_VALUE);
        try {
            assertThatThrownBy(() -> ControlCodec.decode(body)).isInstanceOf(ProtocolException.class);
        } finally {
            body.release();
        }
    }
}
