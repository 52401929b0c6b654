package io.tunnelplane.protocol.mux;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Datagrams stay datagrams through a flow: whatever DATA frame boundaries the stream delivers, each datagram comes
 * out whole and in order; sent datagrams are packed into frames of at most 16 KiB (unless one datagram alone is
 * larger); and a flow that cannot write keeps only the newest {@link DatagramFlow#MAX_QUEUED}.
 */
class DatagramFlowTest {

    @Property(tries = 100)
    void datagramsSurviveAnyFrameBoundaries(@ForAll("datagrams") List<byte[]> datagrams,
            @ForAll @IntRange(min = 1, max = 40_000) int frameSize) {
        RecordingEnd end = new RecordingEnd();
        EmbeddedChannel stream = new EmbeddedChannel(new DatagramFlow(end));
        ByteBuf wire = Unpooled.buffer();
        datagrams.forEach(d -> wire.writeShort(d.length).writeBytes(d));
        int frames = 0;
        while (wire.isReadable()) {
            frames++;
            stream.writeInbound(new DefaultHttp2DataFrame(wire.readRetainedSlice(
                    Math.min(frameSize, wire.readableBytes()))));
        }
        wire.release();
        assertThat(end.received).hasSize(datagrams.size());
        for (int i = 0; i < datagrams.size(); i++) {
            assertThat(end.received.get(i)).as("datagram %d", i).isEqualTo(datagrams.get(i));
        }
        assertThat(end.flushes).as("one local flush per read").isEqualTo(frames);
        stream.finishAndReleaseAll();
    }

    @Property(tries = 100)
    void sentDatagramsArePackedIntoFramesAndComeOutWhole(@ForAll("datagrams") List<byte[]> datagrams) {
        EmbeddedChannel sender = new EmbeddedChannel();
        DatagramFlow flow = new DatagramFlow(new RecordingEnd());
        sender.pipeline().addLast(DatagramFlow.NAME, flow);
        datagrams.forEach(d -> flow.send(Unpooled.wrappedBuffer(d)));
        flow.flush();

        RecordingEnd end = new RecordingEnd();
        EmbeddedChannel receiver = new EmbeddedChannel(new DatagramFlow(end));
        Http2DataFrame frame;
        int frames = 0;
        while ((frame = sender.readOutbound()) != null) {
            frames++;
            int size = frame.content().readableBytes();
            int first = frame.content().getUnsignedShort(frame.content().readerIndex());
            assertThat(size <= 16_384 || size == first + 2).as("frame of %d bytes", size).isTrue();
            receiver.writeInbound(frame);
        }
        // Next-fit packing: a datagram too big to share has a frame of its own; any two neighbouring shared
        // frames hold more than 16 KiB together.
        long big = datagrams.stream().filter(d -> d.length + 2 > 16_384).count();
        long shared = datagrams.stream().filter(d -> d.length + 2 <= 16_384).mapToLong(d -> d.length + 2).sum();
        assertThat((long) frames).isLessThanOrEqualTo(2 * shared / 16_384 + 2 * big + 1);
        assertThat(end.received).hasSize(datagrams.size());
        for (int i = 0; i < datagrams.size(); i++) {
            assertThat(end.received.get(i)).isEqualTo(datagrams.get(i));
        }
        sender.finishAndReleaseAll();
        receiver.finishAndReleaseAll();
    }

    @Test
    void aFlowThatCannotWriteKeepsTheNewestAndCountsTheRest() {
        DatagramFlow flow = new DatagramFlow(new RecordingEnd());
        for (int i = 0; i < DatagramFlow.MAX_QUEUED + 44; i++) {
            flow.send(Unpooled.buffer().writeInt(i)); // no stream yet: everything waits
        }
        assertThat(flow.dropped()).isEqualTo(44);

        EmbeddedChannel stream = new EmbeddedChannel();
        stream.pipeline().addLast(DatagramFlow.NAME, flow); // the stream opens: the queue goes out
        RecordingEnd end = new RecordingEnd();
        EmbeddedChannel receiver = new EmbeddedChannel(new DatagramFlow(end));
        Object frame;
        while ((frame = stream.readOutbound()) != null) {
            receiver.writeInbound(frame);
        }
        assertThat(end.received).hasSize(DatagramFlow.MAX_QUEUED);
        assertThat(Unpooled.wrappedBuffer(end.received.get(0)).readInt()).isEqualTo(44);
        assertThat(Unpooled.wrappedBuffer(end.received.get(DatagramFlow.MAX_QUEUED - 1)).readInt())
                .isEqualTo(DatagramFlow.MAX_QUEUED + 43);
        stream.finishAndReleaseAll();
        receiver.finishAndReleaseAll();
    }

    @Provide
    Arbitrary<List<byte[]>> datagrams() {
        Arbitrary<Integer> size = Arbitraries.frequencyOf(
                Tuple.of(20, Arbitraries.integers().between(0, 1_500)),
                Tuple.of(3, Arbitraries.integers().between(1_500, 17_000)),
                Tuple.of(1, Arbitraries.integers().between(17_000, DatagramFlow.MAX_DATAGRAM)));
        return size.map(n -> {
            byte[] bytes = new byte[n];
            for (int i = 0; i < n; i++) {
                bytes[i] = (byte) (i * 31 + n);
            }
            return bytes;
        }).list().ofMaxSize(40);
    }

    /**
     * The socket side, holding written datagrams until the flush as a channel does: a datagram must stay intact
     * after the flow has moved on.
     */
    private static final class RecordingEnd implements DatagramFlow.LocalEnd {
        final List<byte[]> received = new ArrayList<>();
        final List<ByteBuf> unflushed = new ArrayList<>();
        int flushes;

        @Override
        public void write(ByteBuf datagram) {
            unflushed.add(datagram);
        }

        @Override
        public void flush() {
            flushes++;
            for (ByteBuf datagram : unflushed) {
                received.add(ByteBufUtil.getBytes(datagram));
                datagram.release();
            }
            unflushed.clear();
        }

        @Override
        public void closed() {
        }
    }
}
