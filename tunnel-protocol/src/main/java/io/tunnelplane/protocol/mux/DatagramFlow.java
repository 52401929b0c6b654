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

/**
 * One UDP flow (one visitor address) carried by one HTTP/2 stream: datagrams stay datagrams, each framed as
 * {@code u16 length | payload} in the stream's DATA. UDP has no backpressure, so neither do we: when the stream
 * cannot take more (window closed, or not open yet) up to {@link #MAX_QUEUED} datagrams wait and beyond that the
 * oldest is dropped and counted, never buffered without bound. Datagrams go out once per batch of reads
 * ({@link #flush()} from the reader's {@code channelReadComplete}), packed into as few DATA frames as fit, so a
 * burst costs one frame and one session write per 16 KiB rather than per datagram.
 */
public final class DatagramFlow extends ChannelInboundHandlerAdapter {
    public static final String NAME = "datagram-flow";
    public static final int MAX_QUEUED = 256;
    public static final int MAX_DATAGRAM = 65_507;
    /** HTTP/2's default maximum frame size. */
    private static final int BATCH_BYTES = 16_384;

    private final LocalEnd local;
    private final ArrayDeque<ByteBuf> queued = new ArrayDeque<>();
    private Channel stream;
    private CompositeByteBuf pending;
    private long dropped;
    private long lastActivity = System.nanoTime();
    private boolean closed;

    /** The socket side of a flow: where datagrams from the stream go, and who hears that the flow ended. */
    public interface LocalEnd {
        /** Writes one datagram that came through the stream, without flushing; takes ownership of it. */
        void write(ByteBuf datagram);

        /** Flushes what {@link #write} wrote during one read of the stream. */
        void flush();

        /** Runs once when the flow ends. */
        void closed();
    }

    public DatagramFlow(LocalEnd local) {
        this.local = local;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        stream = ctx.channel();
        pending = ctx.alloc().compositeBuffer();
        flush();
    }

    /**
     * Queues one datagram for the stream; takes ownership of {@code payload}. Call on the stream's loop, and
     * {@link #flush()} at the end of the read that produced it.
     */
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
    }

    /**
     * Writes what is queued while the stream takes it, several datagrams to a DATA frame, and flushes. The stream
     * may only become writable once it is active.
     */
    public void flush() {
        if (stream == null || !stream.isActive() || queued.isEmpty()) {
            return;
        }
        boolean wrote = false;
        while (!queued.isEmpty() && stream.isWritable()) {
            stream.write(new DefaultHttp2DataFrame(nextBatch()), stream.voidPromise());
            wrote = true;
        }
        if (wrote) {
            stream.flush();
        }
    }

    /** Queued datagrams up to one default-size DATA frame: per-frame costs are paid per batch, not per datagram. */
    private ByteBuf nextBatch() {
        ByteBuf first = queued.poll();
        if (queued.isEmpty() || first.readableBytes() + queued.peek().readableBytes() > BATCH_BYTES) {
            return first;
        }
        CompositeByteBuf batch = first.alloc().compositeBuffer(MAX_QUEUED);
        batch.addComponent(true, first);
        while (!queued.isEmpty() && batch.readableBytes() + queued.peek().readableBytes() <= BATCH_BYTES) {
            batch.addComponent(true, queued.poll());
        }
        return batch;
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
            readDatagrams(ctx, data.content());
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

    /**
     * Passes on every whole datagram in {@code content} (taking ownership of it). Datagrams wholly inside one DATA
     * frame, the usual case, are passed as slices of it; one split across frames is reassembled in {@code pending}
     * and copied out, because slices of a composite move when its read components are discarded.
     */
    private void readDatagrams(ChannelHandlerContext ctx, ByteBuf content) {
        ByteBuf source = content;
        if (pending.isReadable()) {
            pending.addComponent(true, content);
            source = pending;
        }
        while (source.readableBytes() >= 2) {
            int length = source.getUnsignedShort(source.readerIndex());
            if (length > MAX_DATAGRAM) {
                if (source == content) {
                    content.release();
                }
                throw new ProtocolException("datagram of " + length + " bytes");
            }
            if (source.readableBytes() < 2 + length) {
                break;
            }
            source.skipBytes(2);
            local.write(source == pending
                    ? ctx.alloc().buffer(length).writeBytes(pending, length)
                    : content.readRetainedSlice(length));
        }
        if (source == pending) {
            pending.discardReadComponents();
        } else if (content.isReadable()) {
            pending.addComponent(true, content);
        } else {
            content.release();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        flush();
        ctx.read();
        ctx.fireChannelActive();
    }

    /** Reads on demand, like the TCP relay: each read returns its bytes to the peer's flow-control window. */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        local.flush();
        ctx.read();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        flush();
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
        local.closed();
    }
}
