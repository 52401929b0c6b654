package io.tunnelplane.protocol.mux;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A stream's receive window grows while its reader takes whole windows faster than twice the round trip (and keeps
 * up), and stays at its start size on a slow path, behind a reader that falls behind, and on a bufferbloated path
 * whose round trip is mostly queue. Both ends are real HTTP/2 codecs; time is a fake clock moved per exchange.
 */
class StreamWindowsTest {
    private static final MuxSettings SETTINGS = MuxSettings.DEFAULTS;
    private static final int CHUNK = 64 * 1024;
    private static final int CHUNKS_PER_ROUND = 4;
    private static final long TOTAL = 32L << 20;

    private EmbeddedSession session;
    private long now;
    private long rttNanos = -1;
    private boolean readerKeepsUp = true;
    private long taken;

    @AfterEach
    void close() {
        session.close();
    }

    @Test
    void aReaderThatTakesWindowsFastGrowsItsWindowToTheMaximum() {
        Http2Stream stream = transfer(0);

        assertThat(receiveWindow(stream)).isEqualTo(SETTINGS.maxStreamWindowBytes());
        assertThat(session.serverConnection().remote().flowController().windowSize(senderSide(stream)))
                .as("credit the sender holds with nothing in flight")
                .isGreaterThan(SETTINGS.streamWindowBytes());
        assertThat(taken).isEqualTo(TOTAL);
    }

    @Test
    void aSlowPathKeepsTheStartWindow() {
        // 256 KiB per 30 ms: a window takes 120 ms, more than the 20 ms floor.
        Http2Stream stream = transfer(TimeUnit.MILLISECONDS.toNanos(30));

        assertThat(receiveWindow(stream)).isEqualTo(SETTINGS.streamWindowBytes());
        assertThat(taken).isEqualTo(TOTAL);
    }

    @Test
    void aLongPathGrowsUntilTheWindowHoldsTwoRoundTripsOfItsPace() {
        // The same pace as the slow path, but the round trip is 100 ms: 1 MiB is taken within 200 ms, so it grows;
        // 2 MiB takes longer, which is more than this pace needs in flight.
        rttNanos = TimeUnit.MILLISECONDS.toNanos(100);
        Http2Stream stream = transfer(TimeUnit.MILLISECONDS.toNanos(30));

        assertThat(receiveWindow(stream)).isEqualTo(2 * SETTINGS.streamWindowBytes());
    }

    @Test
    void aBufferbloatedRoundTripDoesNotCountAsALongPath() {
        // Probes queued behind seconds of data: the round trip counts for at most 250 ms.
        rttNanos = TimeUnit.SECONDS.toNanos(16);
        Http2Stream stream = transfer(TimeUnit.MILLISECONDS.toNanos(100));

        assertThat(receiveWindow(stream)).isEqualTo(SETTINGS.streamWindowBytes());
    }

    @Test
    void aReaderThatFallsBehindKeepsTheStartWindow() {
        // It takes whole windows at once each time it catches up, which looks fast but is the reader's own pace.
        readerKeepsUp = false;
        Http2Stream stream = transfer(0);

        assertThat(receiveWindow(stream)).isEqualTo(SETTINGS.streamWindowBytes());
        assertThat(taken).isEqualTo(TOTAL);
    }

    /**
     * Sends {@link #TOTAL} bytes on one stream, {@link #CHUNKS_PER_ROUND} chunks per exchange, moving the clock by
     * {@code nanosPerRound} each time; returns the agent end's side of the stream.
     */
    private Http2Stream transfer(long nanosPerRound) {
        session = new EmbeddedSession(SETTINGS, () -> rttNanos, new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                stream.config().setAutoRead(false);
                stream.config().setRecvByteBufAllocator(StreamReadBatching.INSTANCE);
                stream.pipeline().addLast(new Taker());
            }
        });
        session.agentEnd.attr(StreamWindows.KEY)
                .set(new StreamWindows(session.agentConnection(), SETTINGS, () -> rttNanos, () -> now));
        Http2StreamChannel stream = session.openStream();
        for (long sent = 0; sent < TOTAL; sent += (long) CHUNK * CHUNKS_PER_ROUND) {
            for (int i = 0; i < CHUNKS_PER_ROUND; i++) {
                stream.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(new byte[CHUNK])));
            }
            stream.flush();
            exchange();
            now += nanosPerRound;
        }
        exchange();
        return session.agentConnection().stream(stream.stream().id());
    }

    /** Carries frames both ways until neither end has anything more to send. */
    private void exchange() {
        boolean moved;
        do {
            moved = session.carryToAgent();
            moved |= session.carryToServer();
        } while (moved);
    }

    private int receiveWindow(Http2Stream stream) {
        return session.agentConnection().local().flowController().initialWindowSize(stream);
    }

    private Http2Stream senderSide(Http2Stream agentSide) {
        return session.serverConnection().stream(agentSide.id());
    }

    /** A relay's stream side: reads in batches, tells the tuner what it took and whether it kept up. */
    private final class Taker extends ChannelInboundHandlerAdapter {
        private StreamWindows.Tuner tuner;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            tuner = StreamWindows.tunerFor(ctx.channel());
            ctx.read();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2DataFrame data) {
                tuner.taken(data.initialFlowControlledBytes());
                taken += data.content().readableBytes();
            }
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            tuner.batchEnded(readerKeepsUp);
            ctx.read();
        }
    }
}
