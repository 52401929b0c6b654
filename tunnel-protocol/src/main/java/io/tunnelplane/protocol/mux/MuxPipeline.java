package io.tunnelplane.protocol.mux;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;

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

    /** HTTP/2 for the tunnel server's end; streams come only from us, so inbound ones are refused. */
    public static void installServerEnd(Channel channel, MuxSettings settings, String after) {
        install(channel, settings, Http2FrameCodecBuilder.forClient(), RefuseInboundStreams.INSTANCE, after);
    }

    /** HTTP/2 for the agent's end; {@code streamInitializer} sets up each stream the server opens. */
    public static void installAgentEnd(Channel channel, MuxSettings settings, ChannelHandler streamInitializer,
            String after) {
        install(channel, settings, Http2FrameCodecBuilder.forServer(), streamInitializer, after);
    }

    private static void install(Channel channel, MuxSettings settings, Http2FrameCodecBuilder builder,
            ChannelHandler streamInitializer, String after) {
        Http2Settings initial = Http2Settings.defaultSettings()
                .initialWindowSize(settings.streamWindowBytes())
                .maxFrameSize(settings.maxFrameBytes())
                .maxConcurrentStreams(settings.maxConcurrentStreams());
        Http2FrameCodec codec = builder.initialSettings(initial)
                .autoAckPingFrame(true)
                .gracefulShutdownTimeoutMillis(0)
                .build();
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.addAfter(after, CODEC, codec);
        pipeline.addAfter(CODEC, MULTIPLEX, new Http2MultiplexHandler(streamInitializer));
        int extra = settings.connectionWindowBytes() - Http2CodecDefaults.CONNECTION_WINDOW;
        if (extra > 0) {
            // The connection window is not a SETTINGS value: open it with a WINDOW_UPDATE on stream 0.
            pipeline.context(MULTIPLEX).writeAndFlush(new DefaultHttp2WindowUpdateFrame(extra));
        }
    }

    /** Default sizes from RFC 9113 that our settings are measured against. */
    static final class Http2CodecDefaults {
        static final int CONNECTION_WINDOW = 65_535;

        private Http2CodecDefaults() {
        }
    }
}
