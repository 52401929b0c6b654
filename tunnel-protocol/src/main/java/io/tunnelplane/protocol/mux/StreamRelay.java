package io.tunnelplane.protocol.mux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.TimeUnit;

/**
 * Relays bytes between a TCP connection and one HTTP/2 stream, in both directions, so that the tunnel behaves like
 * a direct connection: a FIN becomes END_STREAM and back (half-close), a reset becomes RST_STREAM and back, and an
 * unfinished stream never ends with a clean FIN that would pass a truncated transfer off as complete.
 *
 * <p>Both channels run with autoRead off on the same event loop, so no locks are needed. Each side reads again
 * only once the other side is writable (for the stream: its flow-control window is open), and writes made during a
 * read burst are flushed once on read-complete. A slow reader therefore closes the HTTP/2 window and the bytes in
 * flight stay bounded by the window plus the channel's write-buffer watermark.
 */
public final class StreamRelay {
    public static final String HANDLER_NAME = "relay";

    private final Channel tcp;
    private final Channel stream;
    private final RelayListener listener;
    private final StreamWindows.Tuner window;
    private boolean tcpInputDone;
    private boolean tcpOutputDone;
    private boolean done;
    /** A paced read is scheduled (see {@link RelayListener#readDelayNanos}): no second one meanwhile. */
    private boolean tcpReadPending;
    private boolean streamReadPending;

    private StreamRelay(Channel tcp, Channel stream, RelayListener listener) {
        this.tcp = tcp;
        this.stream = stream;
        this.listener = listener;
        this.window = StreamWindows.tunerFor(stream);
    }

    /**
     * Starts relaying. Both channels must have autoRead off, be registered on the same event loop and the TCP
     * channel must allow half-closure; the caller must be on that loop.
     */
    public static StreamRelay start(Channel tcp, Channel stream, RelayListener listener) {
        return start(tcp, stream, listener, new ArrayDeque<>());
    }

    /**
     * Starts relaying, first handing on {@code early}: frames the stream delivered before the relay existed (the
     * agent queues them while it dials). They go out before the stream is read again, which would deliver the
     * frames queued after them at once.
     */
    public static StreamRelay start(Channel tcp, Channel stream, RelayListener listener, Queue<Object> early) {
        if (tcp.eventLoop() != stream.eventLoop()) {
            throw new IllegalStateException("relay channels must share one event loop");
        }
        StreamRelay relay = new StreamRelay(tcp, stream, Objects.requireNonNull(listener));
        tcp.pipeline().addLast(HANDLER_NAME, relay.new TcpSide());
        stream.pipeline().addLast(HANDLER_NAME, relay.new StreamSide());
        Object frame;
        while ((frame = early.poll()) != null) {
            // From the head of the stream's pipeline, so that it reaches the relay (a context passes on to the next).
            stream.pipeline().fireChannelRead(frame);
        }
        tcp.read();
        stream.read();
        return relay;
    }

    /** Reads from the TCP side now, or later when the listener paces it; only while the stream can take more. */
    private void readTcp() {
        if (done || tcpInputDone || tcpReadPending || !stream.isWritable()) {
            return;
        }
        long delay = listener.readDelayNanos(true);
        if (delay <= 0) {
            tcp.read();
            return;
        }
        tcpReadPending = true;
        tcp.eventLoop().schedule(() -> {
            tcpReadPending = false;
            readTcp();
        }, delay, TimeUnit.NANOSECONDS);
    }

    /** Reads from the stream now, or later when the listener paces it; only while the TCP side can take more. */
    private void readStream() {
        if (done || tcpOutputDone || streamReadPending || !tcp.isWritable()) {
            return;
        }
        long delay = listener.readDelayNanos(false);
        if (delay <= 0) {
            stream.read();
            // read() returns the window the relay has consumed as a WINDOW_UPDATE, but when the stream is still
            // in a read (a batch that began while the TCP side was writable) it only writes it: without a flush a
            // stream whose window was used up waits for frames that cannot come.
            stream.flush();
            return;
        }
        streamReadPending = true;
        stream.eventLoop().schedule(() -> {
            streamReadPending = false;
            readStream();
        }, delay, TimeUnit.NANOSECONDS);
    }

    private void finishIfBothDirectionsDone() {
        if (tcpInputDone && tcpOutputDone && !done) {
            done = true;
            tcp.close();
            listener.closed(false);
        }
    }

    /** Ends both sides abortively: an RST on the TCP connection, RST_STREAM on the stream. */
    private void abort(boolean resetStream) {
        if (done) {
            return;
        }
        done = true;
        if (resetStream && stream.isActive()) {
            stream.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL));
        }
        // Never leave a half-open stream behind (e.g. the agent answered 502 and ended its side): closing the
        // child channel resets whatever is still open and frees anything queued on it.
        stream.close();
        if (tcp.isActive()) {
            tcp.config().setOption(ChannelOption.SO_LINGER, 0);
        }
        tcp.close();
        listener.closed(true);
    }

    private final class TcpSide extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (done || !stream.isActive()) {
                ReferenceCountUtil.release(msg);
                return;
            }
            ByteBuf bytes = (ByteBuf) msg;
            listener.fromTcp(bytes.readableBytes());
            stream.write(new DefaultHttp2DataFrame(bytes), stream.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            stream.flush();
            readTcp();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent && !tcpInputDone) {
                tcpInputDone = true;
                if (!done && stream.isActive()) {
                    stream.writeAndFlush(new DefaultHttp2DataFrame(true));
                }
                finishIfBothDirectionsDone();
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            readStream();
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            abort(true);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A reset or I/O error on the TCP side: the peer of the stream must see a reset too, never a clean end.
            abort(true);
        }
    }

    private final class StreamSide extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2DataFrame data) {
                boolean end = data.isEndStream();
                window.taken(data.initialFlowControlledBytes());
                if (done || !tcp.isActive()) {
                    data.release();
                    return;
                }
                ByteBuf content = data.content();
                if (content.isReadable()) {
                    listener.fromStream(content.readableBytes());
                    tcp.write(content, tcp.voidPromise());
                } else {
                    content.release();
                }
                if (end) {
                    endTcpOutput();
                }
            } else if (msg instanceof Http2HeadersFrame headers) {
                CharSequence status = headers.headers().status();
                if (status != null && !StreamHeaders.STATUS_OK.contentEquals(status)) {
                    if (!done && listener.answerRefusal(status.toString())) {
                        // The listener answers the visitor (and closes it); only the stream is ours to end.
                        done = true;
                        stream.close();
                        listener.closed(true);
                        return;
                    }
                    // The agent could not reach the local service: close the visitor's connection at once.
                    abort(false);
                } else if (headers.isEndStream()) {
                    endTcpOutput();
                }
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            tcp.flush();
            window.batchEnded(tcp.isWritable());
            readStream();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof Http2ResetFrame) {
                abort(false);
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            readTcp();
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            // Both END_STREAMs seen: the TCP side finishes once its FIN is out. Otherwise the stream was lost
            // (session gone, peer reset) and the visitor must not see a clean end of a truncated transfer.
            if (!(tcpInputDone && tcpOutputDone)) {
                abort(false);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            abort(true);
        }

        private void endTcpOutput() {
            if (tcpOutputDone) {
                return;
            }
            tcpOutputDone = true;
            tcp.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
                if (tcp instanceof DuplexChannel duplex && tcp.isActive()) {
                    duplex.shutdownOutput().addListener(s -> finishIfBothDirectionsDone());
                } else {
                    finishIfBothDirectionsDone();
                }
            });
        }
    }
}
