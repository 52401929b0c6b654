package io.tunnelplane.protocol.mux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.tunnelplane.protocol.DisconnectCause;
import java.util.function.LongSupplier;

/**
 * Both HTTP/2 ends of a session as {@link MuxPipeline} installs them, on embedded channels connected by
 * hand-carried bytes: everything one end wrote arrives at the other as one socket read.
 */
final class EmbeddedSession implements AutoCloseable {
    static final GoAwayListener NO_GO_AWAYS = new GoAwayListener() {
        @Override
        public void sent(DisconnectCause cause, String detail) {
        }

        @Override
        public void received(DisconnectCause cause, String detail) {
        }
    };

    final EmbeddedChannel serverEnd = new EmbeddedChannel();
    final EmbeddedChannel agentEnd = new EmbeddedChannel();

    /** Installs both ends and exchanges prefaces and settings; the agent end sets up streams with the initializer. */
    EmbeddedSession(MuxSettings settings, LongSupplier rttNanos, ChannelHandler agentStreamInitializer) {
        serverEnd.pipeline().addLast("base", new ChannelDuplexHandler());
        agentEnd.pipeline().addLast("base", new ChannelDuplexHandler());
        MuxPipeline.installServerEnd(serverEnd, settings, rttNanos, NO_GO_AWAYS, "base");
        MuxPipeline.installAgentEnd(agentEnd, settings, rttNanos, agentStreamInitializer, NO_GO_AWAYS, "base");
        for (int i = 0; i < 4; i++) { // prefaces, settings and their acks
            carryToAgent();
            carryToServer();
        }
    }

    /** Opens a stream from the server end and writes its HEADERS (not yet flushed). */
    Http2StreamChannel openStream() {
        Http2StreamChannel stream = (Http2StreamChannel) new Http2StreamChannelBootstrap(serverEnd)
                .handler(new ChannelInboundHandlerAdapter()).open().syncUninterruptibly().getNow();
        stream.write(new DefaultHttp2HeadersFrame(StreamHeaders.response(StreamHeaders.STATUS_OK)));
        return stream;
    }

    Http2Connection serverConnection() {
        return serverEnd.pipeline().get(Http2FrameCodec.class).connection();
    }

    Http2Connection agentConnection() {
        return agentEnd.pipeline().get(Http2FrameCodec.class).connection();
    }

    /** Carries what the server end wrote to the agent end; false when there was nothing. */
    boolean carryToAgent() {
        return carry(serverEnd, agentEnd);
    }

    /** Carries what the agent end wrote to the server end; false when there was nothing. */
    boolean carryToServer() {
        return carry(agentEnd, serverEnd);
    }

    private static boolean carry(EmbeddedChannel from, EmbeddedChannel to) {
        from.runPendingTasks();
        ByteBuf bytes = Unpooled.buffer();
        Object written;
        while ((written = from.readOutbound()) != null) {
            ByteBuf buf = (ByteBuf) written;
            bytes.writeBytes(buf);
            buf.release();
        }
        if (!bytes.isReadable()) {
            bytes.release();
            return false;
        }
        to.writeInbound(bytes);
        to.runPendingTasks();
        return true;
    }

    @Override
    public void close() {
        serverEnd.finishAndReleaseAll();
        agentEnd.finishAndReleaseAll();
    }
}
