package io.tunnelplane.protocol.mux;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.util.ReferenceCountUtil;

/** Stream handler for the end that never accepts streams: each one is reset with REFUSED_STREAM. */
@ChannelHandler.Sharable
final class RefuseInboundStreams extends ChannelInboundHandlerAdapter {
    static final RefuseInboundStreams INSTANCE = new RefuseInboundStreams();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
        ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.REFUSED_STREAM));
        ctx.close();
    }
}
