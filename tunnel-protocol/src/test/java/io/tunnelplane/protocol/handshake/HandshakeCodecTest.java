package io.tunnelplane.protocol.handshake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.tunnelplane.protocol.ProtocolException;
import org.junit.jupiter.api.Test;

class HandshakeCodecTest {

    @Test
    void loginSurvivesTheWireFieldForField() {
        Login login = new Login(1, "office", TokenProof.newNonce(), new byte[32], "1.2.3", "keepalive_timeout", 4,
                10_000, 20_000, Login.PROBE, new AgentHost("Linux 6.1 amd64", "OpenJDK 17", "office-gw"),
                "c0ffee", 3);
        Login decoded = (Login) roundTrip(login);
        assertThat(decoded.clientId()).isEqualTo("office");
        assertThat(decoded.agentNonce()).isEqualTo(login.agentNonce());
        assertThat(decoded.previousCause()).isEqualTo("keepalive_timeout");
        assertThat(decoded.reconnectAttempts()).isEqualTo(4);
        assertThat(decoded.keepaliveTimeoutMillis()).isEqualTo(20_000);
        assertThat(decoded.isProbe()).isTrue();
        assertThat(decoded.host()).isEqualTo(login.host());
        assertThat(decoded.connectionId()).isEqualTo("c0ffee");
        assertThat(decoded.connections()).isEqualTo(3);
    }

    @Test
    void helloAcceptedAndRefusedRoundTrip() {
        ServerHello hello = (ServerHello) roundTrip(new ServerHello(1, "0.1.0", TokenProof.newNonce(), 1234L));
        assertThat(hello.serverVersion()).isEqualTo("0.1.0");
        assertThat(hello.serverTimeMillis()).isEqualTo(1234L);
        LoginAccepted accepted = (LoginAccepted) roundTrip(new LoginAccepted("s-1", 15_000, 15_000, new byte[32],
                java.util.List.of("10.0.0.1:7000", "node-b.example:7000")));
        assertThat(accepted.sessionId()).isEqualTo("s-1");
        assertThat(accepted.clusterNodes()).containsExactly("10.0.0.1:7000", "node-b.example:7000");
        LoginRefused refused = (LoginRefused) roundTrip(new LoginRefused(LoginRefused.AUTH_FAILED, "authentication failed"));
        assertThat(refused.code()).isEqualTo("auth_failed");
    }

    @Test
    void truncatedFieldIsAProtocolError() {
        ByteBuf frame = HandshakeCodec.encode(new ServerHello(1, "v", TokenProof.newNonce(), 0), ByteBufAllocator.DEFAULT);
        frame.skipBytes(4);
        ByteBuf truncated = frame.readRetainedSlice(frame.readableBytes() - 5);
        frame.release();
        try {
            assertThatThrownBy(() -> HandshakeCodec.decode(truncated)).isInstanceOf(ProtocolException.class);
        } finally {
            truncated.release();
        }
    }

    @Test
    void somethingThatIsNotOurProtocolIsRejectedByMagic() {
        ByteBuf frame = Unpooled.buffer().writeByte(1).writeInt(0x48545450).writeShort(1); // "HTTP"
        try {
            assertThatThrownBy(() -> HandshakeCodec.decode(frame)).isInstanceOf(ProtocolException.class)
                    .hasMessageContaining("magic");
        } finally {
            frame.release();
        }
    }

    @Test
    void oversizedFrameClosesWithAProtocolErrorBeforeBuffering() {
        EmbeddedChannel channel = new EmbeddedChannel(new HandshakeDecoder());
        ByteBuf huge = Unpooled.buffer().writeInt(HandshakeCodec.MAX_FRAME + 1).writeZero(16);
        assertThatThrownBy(() -> channel.writeInbound(huge)).isInstanceOf(ProtocolException.class);
        channel.finishAndReleaseAll();
    }

    @Test
    void bytesAfterTheLastHandshakeFrameReachTheNextHandlerWhenTheDecoderIsRemoved() {
        EmbeddedChannel channel = new EmbeddedChannel(new HandshakeDecoder());
        ByteBuf wire = HandshakeCodec.encode(new LoginRefused("x", "y"), ByteBufAllocator.DEFAULT);
        wire.writeBytes(new byte[] {'P', 'R', 'I'});
        channel.pipeline().addLast(new io.netty.channel.ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof LoginRefused) {
                    ctx.pipeline().remove(HandshakeDecoder.class);
                    return;
                }
                ctx.fireChannelRead(msg);
            }
        });
        channel.writeInbound(wire);
        ByteBuf rest = channel.readInbound();
        assertThat(rest.toString(java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PRI");
        rest.release();
        channel.finishAndReleaseAll();
    }

    private static HandshakeMessage roundTrip(HandshakeMessage message) {
        ByteBuf frame = HandshakeCodec.encode(message, ByteBufAllocator.DEFAULT);
        try {
            assertThat(frame.readInt()).isEqualTo(frame.readableBytes());
            return HandshakeCodec.decode(frame);
        } finally {
            frame.release();
        }
    }
}
