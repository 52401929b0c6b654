package io.tunnelplane.protocol.control;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;
import io.tunnelplane.protocol.ProtocolException;

/**
 * Turns the control stream's DATA frames into {@link ControlMessage}s and back. Messages may span frames; a
 * message longer than {@link ControlCodec#MAX_MESSAGE} is a protocol error before anything is buffered for it.
 * A malformed message releases everything buffered at once: a bad peer holds no memory while its session closes.
 */
public final class ControlStreamCodec extends ChannelDuplexHandler {
    private CompositeByteBuf pending;
    private boolean failed;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        pending = ctx.alloc().compositeBuffer(64);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releasePending();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2DataFrame data && failed) {
            data.release(); // the stream is being torn down: one error report is enough
        } else if (msg instanceof Http2DataFrame data) {
            pending.addComponent(true, data.content());
            try {
                decodeAvailable(ctx);
            } catch (ProtocolException malformed) {
                failed = true;
                releasePending();
                throw malformed;
            }
        } else if (msg instanceof Http2HeadersFrame) {
            ctx.fireChannelRead(msg);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void decodeAvailable(ChannelHandlerContext ctx) {
        while (pending.readableBytes() >= 4) {
            int length = pending.getInt(pending.readerIndex());
            if (length <= 0 || length > ControlCodec.MAX_MESSAGE) {
                throw new ProtocolException("control message of " + length + " bytes");
            }
            if (pending.readableBytes() < 4 + length) {
                break;
            }
            pending.skipBytes(4);
            ByteBuf body = pending.readSlice(length);
            ctx.fireChannelRead(ControlCodec.decode(body));
        }
        pending.discardReadComponents();
    }

    private void releasePending() {
        if (pending.refCnt() > 0) {
            pending.release();
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ControlMessage message) {
            ctx.write(new DefaultHttp2DataFrame(ControlCodec.encode(message, ctx.alloc())), promise);
        } else {
            ctx.write(msg, promise);
        }
    }
}
