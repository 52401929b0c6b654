package io.tunnelplane.protocol.mux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;
import io.tunnelplane.protocol.ProtocolException;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * One UDP flow (one visitor address) carried by one HTTP/2 stream: datagrams stay datagrams, each framed as
 * {@code u16 length | payload} in the stream's DATA. UDP has no backpressure, so neither do we: when the stream
 * cannot take more (window closed, or not open yet) up to {@link #MAX_QUEUED} datagrams wait and beyond that the
 * oldest is dropped and counted, never buffered without bound.
 */
public final class DatagramFlow extends ChannelInboundHandlerAdapter {
    public static final String NAME = "datagram-flow";
    public static final int MAX_QUEUED = 256;
    public static final int MAX_DATAGRAM = 65_507;

    private final Consumer<ByteBuf> deliver;
    private final Runnable onClose;
    private final ArrayDeque<ByteBuf> queued = new ArrayDeque<>();
    private Channel stream;
    private CompositeByteBuf pending;
    private long dropped;
    private long lastActivity = System.nanoTime();
    private boolean closed;

    /**
     * @param deliver receives each datagram that came through the stream (and must release it)
     * @param onClose runs once when the stream ends
     */
    public DatagramFlow(Consumer<ByteBuf> deliver, Runnable onClose) {
        this.deliver = deliver;
        this.onClose = onClose;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        stream = ctx.channel();
        pending = ctx.alloc().compositeBuffer();
        drain();
    }

    /** Sends one datagram into the stream; takes ownership of {@code payload}. Call on the stream's loop. */
    public void send(ByteBuf payload) {
        lastActivity = System.nanoTime();
        if (closed || payload.readableBytes() > MAX_DATAGRAM) {
            payload.release();
            dropped += closed ? 0 : 1;
            return;
        }
        ByteBuf frame = payload.alloc().buffer(2 + payload.readableBytes());
        frame.writeShort(payload.readableBytes()).writeBytes(payload);
        payload.release();
        if (queued.size() >= MAX_QUEUED) {
            queued.poll().release(); // the oldest is the least useful to a real-time protocol
            dropped++;
        }
        queued.add(frame);
        drain();
    }

    /** Writes what is queued while the stream takes it; the stream may only become writable once it is active. */
    private void drain() {
        if (stream == null || !stream.isActive()) {
            return;
        }
        boolean wrote = false;
        while (!queued.isEmpty() && stream.isWritable()) {
            stream.write(new DefaultHttp2DataFrame(queued.poll()), stream.voidPromise());
            wrote = true;
        }
        if (wrote) {
            stream.flush();
        }
    }

    /** Datagrams dropped so far because the stream could not take them. */
    public long dropped() {
        return dropped;
    }

    /** Nanos since a datagram last went either way. */
    public long idleNanos() {
        return System.nanoTime() - lastActivity;
    }

    public void close() {
        if (stream != null) {
            stream.close();
        } else {
            finish();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2DataFrame data) {
            lastActivity = System.nanoTime();
            pending.addComponent(true, data.content());
            while (pending.readableBytes() >= 2) {
                int length = pending.getUnsignedShort(pending.readerIndex());
                if (length > MAX_DATAGRAM) {
                    throw new ProtocolException("datagram of " + length + " bytes");
                }
                if (pending.readableBytes() < 2 + length) {
                    break;
                }
                pending.skipBytes(2);
                deliver.accept(pending.readRetainedSlice(length));
            }
            pending.discardReadComponents();
            if (data.isEndStream()) {
                ctx.close();
            }
        } else if (msg instanceof Http2HeadersFrame headers) {
            CharSequence status = headers.headers().status();
            if (status != null && !StreamHeaders.STATUS_OK.contentEquals(status) || headers.isEndStream()) {
                ctx.close(); // the agent could not open the local socket, or the peer ended the flow
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        drain();
        ctx.read();
        ctx.fireChannelActive();
    }

    /** Reads on demand, like the TCP relay: each read returns its bytes to the peer's flow-control window. */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.read();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        drain();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        finish();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        finish();
    }

    private void finish() {
        if (closed) {
            return;
        }
        closed = true;
        ByteBuf frame;
        while ((frame = queued.poll()) != null) {
            frame.release();
        }
        if (pending != null) {
            pending.release();
            pending = null;
        }
        onClose.run();
    }
}
