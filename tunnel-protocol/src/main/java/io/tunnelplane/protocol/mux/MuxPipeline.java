package io.tunnelplane.protocol.mux;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2RemoteFlowController;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.WeightedFairQueueByteDistributor;
import java.nio.charset.StandardCharsets;
import java.util.function.LongSupplier;

/**
 * Installs HTTP/2 on a logged-in session connection with the roles reversed: the tunnel server, which accepted
 * the TCP connection, speaks as the HTTP/2 client so that it can open a stream per public connection (odd stream
 * ids, no extra round trip); the agent speaks as the HTTP/2 server and accepts those streams.
 */
public final class MuxPipeline {
    public static final String CODEC = "h2-codec";
    public static final String MULTIPLEX = "h2-multiplex";

    private MuxPipeline() {
    }

    /**
     * HTTP/2 for the tunnel server's end; streams come only from us, so inbound ones are refused. {@code rttNanos}
     * is the session's last measured round trip (-1 while unknown), which sizes the stream windows.
     */
    public static void installServerEnd(Channel channel, MuxSettings settings, LongSupplier rttNanos,
            GoAwayListener goAways, String after) {
        install(channel, settings, rttNanos, new TunnelCodecBuilder(false), RefuseInboundStreams.INSTANCE, goAways,
                after);
    }

    /** HTTP/2 for the agent's end; {@code streamInitializer} sets up each stream the server opens. */
    public static void installAgentEnd(Channel channel, MuxSettings settings, LongSupplier rttNanos,
            ChannelHandler streamInitializer, GoAwayListener goAways, String after) {
        install(channel, settings, rttNanos, new TunnelCodecBuilder(true), streamInitializer, goAways, after);
    }

    private static void install(Channel channel, MuxSettings settings, LongSupplier rttNanos,
            Http2FrameCodecBuilder builder, ChannelHandler streamInitializer, GoAwayListener goAways, String after) {
        Http2Settings initial = Http2Settings.defaultSettings()
                .initialWindowSize(settings.streamWindowBytes())
                .maxFrameSize(settings.maxFrameBytes())
                .maxConcurrentStreams(settings.maxConcurrentStreams());
        Http2FrameCodec codec = builder.initialSettings(initial)
                .autoAckPingFrame(true)
                .gracefulShutdownTimeoutMillis(0)
                // Rapid-reset limits guard public HTTP/2 servers against strangers. Here both ends are
                // authenticated, and a burst of visitors that reset (or a local service that resets mid-transfer,
                // answered by one RST per in-flight DATA frame) is legitimate: the default 200 RSTs per 30 s
                // would tear down every proxy of the agent with ENHANCE_YOUR_CALM.
                .encoderEnforceMaxRstFramesPerWindow(0, 0)
                .decoderEnforceMaxRstFramesPerWindow(0, 0)
                .build();
        // A frame cut by a read waits in the decoder's cumulation. The default merging cumulator then copies the
        // rest of it and the next decrypted read into a new buffer: on the agent a copy of almost every byte and,
        // again and again, a fresh zeroed pool chunk, 20 % of its event loop in a bulk upload. Composing keeps the
        // buffers and slices DATA payloads out of them (docs/benchmarks.md, session 14).
        codec.setCumulator(ByteToMessageDecoder.COMPOSITE_CUMULATOR);
        codec.connection().addListener(new Http2ConnectionAdapter() {
            @Override
            public void onGoAwaySent(int lastStreamId, long errorCode, ByteBuf debugData) {
                String detail = debugData.toString(StandardCharsets.UTF_8);
                goAways.sent(GoAwayListener.causeOf(errorCode, detail), detail);
            }

            @Override
            public void onGoAwayReceived(int lastStreamId, long errorCode, ByteBuf debugData) {
                String detail = debugData.toString(StandardCharsets.UTF_8);
                goAways.received(GoAwayListener.causeOf(errorCode, detail), detail);
            }
        });
        channel.attr(StreamWindows.KEY).set(new StreamWindows(codec.connection(), settings, rttNanos, System::nanoTime));
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.addAfter(after, CODEC, codec);
        pipeline.addAfter(CODEC, MULTIPLEX, new Http2MultiplexHandler(streamInitializer));
        int extra = settings.connectionWindowBytes() - Http2CodecDefaults.CONNECTION_WINDOW;
        if (extra > 0) {
            // The connection window is not a SETTINGS value: open it with a WINDOW_UPDATE on stream 0.
            pipeline.context(MULTIPLEX).writeAndFlush(new DefaultHttp2WindowUpdateFrame(extra));
        }
    }

    /**
     * The codec builder with one change to Netty's defaults: streams take turns on the connection in slices of
     * {@link #ALLOCATION_QUANTUM} instead of 1 KiB. With many busy streams the default cuts the data into 1 KiB DATA
     * frames, which more than halved throughput with 8 parallel streams (docs/benchmarks.md).
     */
    static final class TunnelCodecBuilder extends Http2FrameCodecBuilder {
        static final int ALLOCATION_QUANTUM = 64 * 1024;

        TunnelCodecBuilder(boolean server) {
            DefaultHttp2Connection connection = new DefaultHttp2Connection(server);
            WeightedFairQueueByteDistributor distributor = new WeightedFairQueueByteDistributor(connection);
            distributor.allocationQuantum(ALLOCATION_QUANTUM);
            connection.remote().flowController(new DefaultHttp2RemoteFlowController(connection, distributor));
            connection(connection);
        }
    }

    /** Default sizes from RFC 9113 that our settings are measured against. */
    static final class Http2CodecDefaults {
        static final int CONNECTION_WINDOW = 65_535;

        private Http2CodecDefaults() {
        }
    }
}
