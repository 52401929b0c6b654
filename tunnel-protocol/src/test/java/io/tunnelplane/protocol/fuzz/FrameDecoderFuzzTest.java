package io.tunnelplane.protocol.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.tunnelplane.protocol.ProtocolException;
import io.tunnelplane.protocol.control.ControlCodec;
import io.tunnelplane.protocol.control.ControlMessage;
import io.tunnelplane.protocol.control.ControlStreamCodec;
import io.tunnelplane.protocol.control.ProxySpec;
import io.tunnelplane.protocol.handshake.AgentHost;
import io.tunnelplane.protocol.handshake.HandshakeCodec;
import io.tunnelplane.protocol.handshake.HandshakeDecoder;
import io.tunnelplane.protocol.handshake.HandshakeMessage;
import io.tunnelplane.protocol.handshake.Login;
import io.tunnelplane.protocol.handshake.LoginAccepted;
import io.tunnelplane.protocol.handshake.ServerHello;
import io.tunnelplane.protocol.handshake.TokenProof;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import io.tunnelplane.testsupport.NettyLeaks;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * What arrives from the network is hostile: random and mutated frames fed to the handshake decoder and the control
 * stream codec, in random chunks. Each either decodes to a well-formed message or fails with
 * {@link ProtocolException} (which closes only that connection, as {@code protocol_error}); nothing else escapes,
 * nothing is buffered beyond the frame limit, and every buffer handed in is released.
 */
class FrameDecoderFuzzTest {

    /** jqwik runs outside JUnit Jupiter, so the build's leak check is called here: no buffer may outlive a try. */
    @AfterContainer
    static void nothingLeaked() {
        assertThat(NettyLeaks.collect()).isEmpty();
    }

    @Property(tries = 2000)
    void randomBytesIntoTheHandshakeDecoder(@ForAll @Size(max = 20_000) byte[] bytes,
            @ForAll @IntRange(min = 1, max = 4096) int chunk) {
        feed(() -> new EmbeddedChannel(new HandshakeDecoder()), bytes, chunk, false);
    }

    @Property(tries = 2000)
    void mutatedHandshakeFrames(@ForAll("handshakeFrames") byte[] valid, @ForAll("mutations") List<Mutation> mutations,
            @ForAll @IntRange(min = 1, max = 512) int chunk) {
        feed(() -> new EmbeddedChannel(new HandshakeDecoder()), mutate(valid, mutations), chunk, false);
    }

    @Property(tries = 2000)
    void randomBytesIntoTheControlStream(@ForAll @Size(max = 20_000) byte[] bytes,
            @ForAll @IntRange(min = 1, max = 4096) int chunk) {
        feed(() -> new EmbeddedChannel(new ControlStreamCodec()), bytes, chunk, true);
    }

    @Property(tries = 2000)
    void mutatedControlMessages(@ForAll("controlFrames") byte[] valid, @ForAll("mutations") List<Mutation> mutations,
            @ForAll @IntRange(min = 1, max = 512) int chunk) {
        feed(() -> new EmbeddedChannel(new ControlStreamCodec()), mutate(valid, mutations), chunk, true);
    }

    @Property(tries = 200)
    void anAnnouncedLengthBeyondTheLimitFailsOnItsHeaderAlone(
            @ForAll @IntRange(min = HandshakeCodec.MAX_FRAME + 1) int handshakeLength,
            @ForAll @IntRange(min = ControlCodec.MAX_MESSAGE + 1) int controlLength) {
        // Only the four length bytes arrive: refusing now proves nothing is allocated for the announced body.
        EmbeddedChannel handshake = new EmbeddedChannel(new HandshakeDecoder());
        EmbeddedChannel control = new EmbeddedChannel(new ControlStreamCodec());
        try {
            assertThat(failsWithProtocolError(handshake, Unpooled.buffer().writeInt(handshakeLength), false)).isTrue();
            assertThat(failsWithProtocolError(control, Unpooled.buffer().writeInt(controlLength), true)).isTrue();
        } finally {
            handshake.finishAndReleaseAll();
            control.finishAndReleaseAll();
        }
    }

    /** Feeds {@code bytes} in chunks; stops at the first failure, which must be a protocol error. */
    private static void feed(Supplier<EmbeddedChannel> pipeline, byte[] bytes, int chunk, boolean http2) {
        EmbeddedChannel channel = pipeline.get();
        List<ByteBuf> handedIn = new ArrayList<>();
        try {
            for (int offset = 0; offset < bytes.length; offset += chunk) {
                ByteBuf part = Unpooled.copiedBuffer(bytes, offset, Math.min(chunk, bytes.length - offset));
                handedIn.add(part);
                if (failsWithProtocolError(channel, part, http2)) {
                    break;
                }
                Object decoded;
                while ((decoded = channel.readInbound()) != null) {
                    assertThat(decoded).isInstanceOfAny(HandshakeMessage.class, ControlMessage.class);
                }
            }
        } finally {
            channel.finishAndReleaseAll();
        }
        assertThat(handedIn).allSatisfy(buffer -> assertThat(buffer.refCnt()).as("released").isZero());
    }

    /** Writes one part; true when the pipeline refused it with a protocol error, failing on any other exception. */
    private static boolean failsWithProtocolError(EmbeddedChannel channel, ByteBuf part, boolean http2) {
        try {
            channel.writeInbound(http2 ? new DefaultHttp2DataFrame(part) : part);
            return false;
        } catch (ProtocolException expected) {
            return true;
        } catch (DecoderException wrapped) {
            assertThat(wrapped.getCause()).as("cause of %s", wrapped).isInstanceOf(ProtocolException.class);
            return true;
        }
    }

    @Provide
    Arbitrary<byte[]> handshakeFrames() {
        Arbitrary<String> text = Arbitraries.strings().ofMaxLength(40);
        Arbitrary<HandshakeMessage> login = Combinators.combine(text, text, Arbitraries.integers().between(0, 99),
                Arbitraries.integers().between(0, 3)).as((client, version, attempts, flags) -> new Login(1, client,
                TokenProof.newNonce(), new byte[32], version, "peer_reset", attempts, 15_000, 15_000, flags,
                new AgentHost("os", "jvm", client), client, flags + 1));
        Arbitrary<HandshakeMessage> hello = text.map(v -> new ServerHello(1, v, TokenProof.newNonce(), 1L));
        Arbitrary<HandshakeMessage> accepted = text.map(id -> new LoginAccepted(id, 1_000, 1_000, new byte[32], java.util.List.of(id)));
        return Arbitraries.oneOf(login, hello, accepted).map(m -> bytes(HandshakeCodec.encode(m,
                ByteBufAllocator.DEFAULT)));
    }

    @Provide
    Arbitrary<byte[]> controlFrames() {
        Arbitrary<ProxySpec> proxy = Combinators.combine(Arbitraries.longs(), Arbitraries.strings().ofMaxLength(20),
                Arbitraries.integers().between(1, 65535), Arbitraries.integers().between(1, 65535))
                .as((id, name, local, remote) -> new ProxySpec(id, name, "tcp", "127.0.0.1", local, remote));
        Arbitrary<ControlMessage> list = proxy.list().ofMaxSize(20).map(p -> new ControlMessage.ProxyList(1, p));
        Arbitrary<ControlMessage> status = Arbitraries.strings().ofMaxLength(60)
                .map(d -> new ControlMessage.ProxyStatus(1, ControlMessage.ProxyStatus.LOCAL_UNREACHABLE, d));
        Arbitrary<ControlMessage> host = Arbitraries.longs().map(n -> new ControlMessage.HostReport(n, n, n, n));
        return Arbitraries.oneOf(list, status, host).map(m -> bytes(ControlCodec.encode(m, ByteBufAllocator.DEFAULT)));
    }

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        Arbitrary<Mutation> flip = Combinators.combine(Arbitraries.integers().greaterOrEqual(0),
                Arbitraries.bytes()).as(Mutation.Flip::new);
        Arbitrary<Mutation> cut = Arbitraries.integers().greaterOrEqual(0).map(Mutation.Truncate::new);
        Arbitrary<Mutation> append = Arbitraries.bytes().array(byte[].class).ofMaxSize(64).map(Mutation.Append::new);
        return Arbitraries.oneOf(flip, cut, append).list().ofMinSize(1).ofMaxSize(8);
    }

    private static byte[] mutate(byte[] valid, List<Mutation> mutations) {
        byte[] bytes = valid.clone();
        for (Mutation mutation : mutations) {
            bytes = mutation.apply(bytes);
        }
        return bytes;
    }

    private static byte[] bytes(ByteBuf buffer) {
        try {
            byte[] bytes = new byte[buffer.readableBytes()];
            buffer.readBytes(bytes);
            return bytes;
        } finally {
            buffer.release();
        }
    }

    /** A change to a valid frame: what a broken or malicious peer sends. */
    sealed interface Mutation {
        byte[] apply(byte[] bytes);

        record Flip(int position, byte value) implements Mutation {
            public byte[] apply(byte[] bytes) {
                if (bytes.length > 0) {
                    bytes[position % bytes.length] = value;
                }
                return bytes;
            }
        }

        record Truncate(int length) implements Mutation {
            public byte[] apply(byte[] bytes) {
                return java.util.Arrays.copyOf(bytes, bytes.length == 0 ? 0 : length % bytes.length);
            }
        }

        record Append(byte[] tail) implements Mutation {
            public byte[] apply(byte[] bytes) {
                byte[] longer = java.util.Arrays.copyOf(bytes, bytes.length + tail.length);
                System.arraycopy(tail, 0, longer, bytes.length, tail.length);
                return longer;
            }
        }
    }
}
