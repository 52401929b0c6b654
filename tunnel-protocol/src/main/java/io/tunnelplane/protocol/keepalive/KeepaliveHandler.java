package io.tunnelplane.protocol.keepalive;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.epoll.EpollTcpInfo;
import io.netty.handler.codec.http2.DefaultHttp2PingFrame;
import io.netty.handler.codec.http2.Http2PingFrame;
import java.util.concurrent.TimeUnit;

/**
 * Drives a {@link KeepaliveMonitor} on a session channel: a periodic tick from its event loop's shared
 * {@link KeepaliveTicker} (never rescheduled per read), HTTP/2 PINGs as probes and their ACKs as RTT samples. It
 * must sit after the HTTP/2 codec, which writes PINGs straight to the connection and not behind flow-controlled
 * DATA.
 */
public final class KeepaliveHandler extends ChannelInboundHandlerAdapter {
    public static final String NAME = "keepalive";

    private final KeepaliveMonitor monitor;
    private final KeepaliveListener listener;
    private KeepaliveTicker.Member tick;
    private Object lastCurrent;
    private long lastProgress;
    private long lastPending;
    private long lastTick;
    private boolean dead;
    private EpollTcpInfo tcpInfo;

    public KeepaliveHandler(KeepaliveMonitor monitor, KeepaliveListener listener) {
        this.monitor = monitor;
        this.listener = listener;
    }

    public KeepaliveMonitor monitor() {
        return monitor;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        tick = KeepaliveTicker.join(ctx.executor(), () -> onTick(ctx), monitor.settings().tickInterval().toNanos());
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2PingFrame ping && ping.ack()) {
            long rtt = monitor.onProbeAck(ping.content());
            if (rtt >= 0) {
                listener.onRtt(rtt);
            }
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private void onTick(ChannelHandlerContext ctx) {
        if (dead || !ctx.channel().isActive()) {
            return;
        }
        long now = System.nanoTime();
        long gap = now - lastTick;
        if (lastTick != 0 && gap > ownStallNanos()) {
            monitor.resumedAfterOwnStall(gap);
        }
        lastTick = now;
        KeepaliveMonitor.Decision decision = monitor.evaluate(!ctx.channel().config().isAutoRead(), writePending(ctx));
        switch (decision.action()) {
            case SEND_PROBE -> ctx.writeAndFlush(new DefaultHttp2PingFrame(decision.probePayload()));
            case DEAD -> {
                dead = true;
                cancel();
                listener.onDead(decision.cause());
            }
            case NONE -> {
            }
        }
    }

    /**
     * A tick comes every tick interval, up to a quarter late; two intervals and a second more means this loop
     * did not run (blocked, or the process paused), not that it was merely busy.
     */
    private long ownStallNanos() {
        return monitor.settings().tickInterval().toNanos() * 2 + 1_000_000_000L;
    }

    /**
     * True when bytes wait in the outbound buffer. Write progress is any movement of that buffer since the last
     * tick, or evidence that the path is taking our bytes although the buffer stands still: a socket reports room
     * only once a third of its send buffer has drained, and on a slow path with megabytes of buffer that takes
     * longer than the timeout.
     */
    private boolean writePending(ChannelHandlerContext ctx) {
        ChannelOutboundBuffer buffer = ctx.channel().unsafe().outboundBuffer();
        if (buffer == null) {
            return false;
        }
        long pending = buffer.totalPendingWriteBytes();
        Object current = buffer.current();
        long progress = buffer.currentProgress();
        if (current != lastCurrent || progress != lastProgress || pending < lastPending
                || pending > 0 && pathTakesOurBytes(ctx.channel())) {
            monitor.onWriteProgress();
        }
        lastCurrent = current;
        lastProgress = progress;
        lastPending = pending;
        return pending > 0;
    }

    /**
     * Within two tick intervals (a tick may come late; evidence seen twice only restarts the clock twice): on
     * epoll, the kernel's record of the peer's last ACK. NIO cannot ask the kernel, so there any bytes from the peer
     * stand in. That keeps a dead path found: if only our direction died, the peer hears nothing, ends the session
     * within its own bound and its close reaches us; if both directions died, nothing arrives and the stall clock
     * runs as before.
     */
    private boolean pathTakesOurBytes(Channel channel) {
        long window = 2 * monitor.settings().tickInterval().toNanos();
        if (!(channel instanceof EpollSocketChannel epoll)) {
            return monitor.readWithin(window);
        }
        if (!channel.isActive()) {
            return false;
        }
        if (tcpInfo == null) {
            tcpInfo = new EpollTcpInfo();
        }
        try {
            return epoll.tcpInfo(tcpInfo).lastAckRecv() <= TimeUnit.NANOSECONDS.toMillis(window);
        } catch (ChannelException e) {
            return false;
        }
    }

    private void cancel() {
        if (tick != null) {
            tick.cancel();
            tick = null;
        }
    }
}
