package io.tunnelplane.protocol.mux;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A relay's stream channel (autoRead off, one {@code read()} per read-complete) sees the DATA frames of one session
 * read as one batch: one read-complete, so the relay flushes its TCP side once for the batch, not once per frame.
 * Both HTTP/2 ends run as in a session (our codec settings), connected by hand-carried bytes.
 */
class StreamReadBatchingTest {
    private static final int WRITES = 5;
    private static final int WRITE_BYTES = MuxSettings.DEFAULTS.maxFrameBytes();

    private EmbeddedSession session;

    @AfterEach
    void close() {
        if (session != null) {
            session.close();
        }
    }

    @Test
    void framesOfOneSessionReadAreOneReadBatch() {
        Recorder stream = exchangeFramesInOneSessionRead(StreamReadBatching.INSTANCE);

        assertThat(stream.dataBytes).isEqualTo(WRITES * WRITE_BYTES);
        assertThat(stream.dataFrames).isGreaterThanOrEqualTo(WRITES);
        assertThat(stream.readCompletes).as("read-completes for %d DATA frames", stream.dataFrames).isEqualTo(1);
    }

    @Test
    void nettysDefaultEndsEachReadAfterOneFrame() {
        // The behaviour the batching exists to replace; if Netty ever batches by itself, this says so.
        Recorder stream = exchangeFramesInOneSessionRead(null);

        assertThat(stream.dataBytes).isEqualTo(WRITES * WRITE_BYTES);
        assertThat(stream.readCompletes).isGreaterThanOrEqualTo(stream.dataFrames).isGreaterThanOrEqualTo(WRITES);
    }

    @Test
    void framesQueuedBeforeTheFirstReadComeAsOneBatch() {
        List<Recorder> streams = connect(StreamReadBatching.INSTANCE, false);
        sendHeadersAndData();
        Recorder stream = streams.get(0);
        assertThat(stream.dataFrames).as("nothing is read before the relay asks").isZero();

        stream.context.read();

        assertThat(stream.dataBytes).isEqualTo(WRITES * WRITE_BYTES);
        assertThat(stream.readCompletes).as("read-completes for %d DATA frames", stream.dataFrames).isEqualTo(1);
    }

    private Recorder exchangeFramesInOneSessionRead(RecvByteBufAllocator reads) {
        List<Recorder> streams = connect(reads, true);
        sendHeadersAndData();
        assertThat(streams).hasSize(1);
        return streams.get(0);
    }

    /** Connects the two ends; each stream the agent end accepts gets a {@link Recorder}, listed in the result. */
    private List<Recorder> connect(RecvByteBufAllocator reads, boolean readWhenActive) {
        List<Recorder> streams = new ArrayList<>();
        session = new EmbeddedSession(MuxSettings.DEFAULTS, () -> -1, new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                stream.config().setAutoRead(false);
                if (reads != null) {
                    stream.config().setRecvByteBufAllocator(reads);
                }
                Recorder recorder = new Recorder(readWhenActive);
                streams.add(recorder);
                stream.pipeline().addLast(recorder);
            }
        });
        return streams;
    }

    /** Opens a stream from the server end and sends HEADERS and the DATA frames, arriving as one session read. */
    private void sendHeadersAndData() {
        Http2StreamChannel stream = session.openStream();
        // The codec merges queued DATA and cuts it into frames of at most the maximum frame size.
        for (int i = 0; i < WRITES; i++) {
            stream.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(new byte[WRITE_BYTES])));
        }
        stream.flush();
        session.carryToAgent();
    }

    /** A relay's reading pattern: reads once when active (if asked to) and again after every read-complete. */
    private static final class Recorder extends ChannelInboundHandlerAdapter {
        private final boolean readWhenActive;
        ChannelHandlerContext context;
        int dataFrames;
        int dataBytes;
        int readCompletes;

        Recorder(boolean readWhenActive) {
            this.readWhenActive = readWhenActive;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            context = ctx;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (readWhenActive) {
                ctx.read();
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2DataFrame data) {
                dataFrames++;
                dataBytes += data.content().readableBytes();
            }
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            readCompletes++;
            ctx.read();
        }
    }
}
