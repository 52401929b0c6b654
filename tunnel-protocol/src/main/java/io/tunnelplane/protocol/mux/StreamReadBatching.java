package io.tunnelplane.protocol.mux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * How a stream channel with autoRead off reads: one {@code read()} takes every frame already queued on the stream
 * and every frame the session's current read batch still brings, and ends with one {@code channelReadComplete}
 * when that batch ends. Netty's default handle ends a read after each frame while autoRead is off, so a relay
 * flushed its TCP side once per DATA frame: one syscall per 64 KiB instead of one per session read batch.
 *
 * <p>What one read can take stays bounded by the stream's flow-control window: frames beyond what the relay has
 * taken cannot have been sent.
 */
public final class StreamReadBatching implements RecvByteBufAllocator {
    public static final StreamReadBatching INSTANCE = new StreamReadBatching();

    private StreamReadBatching() {
    }

    @Override
    public Handle newHandle() {
        return new BatchHandle();
    }

    /** Stream channels only count frames through this handle; they never allocate with it. */
    private static final class BatchHandle implements ExtendedHandle {
        private int attempted;
        private int last;

        @Override
        public ByteBuf allocate(ByteBufAllocator alloc) {
            return alloc.ioBuffer(guess());
        }

        @Override
        public int guess() {
            return 1024;
        }

        @Override
        public void reset(ChannelConfig config) {
            attempted = 0;
            last = 0;
        }

        @Override
        public void incMessagesRead(int numMessages) {
        }

        @Override
        public void lastBytesRead(int bytes) {
            last = bytes;
        }

        @Override
        public int lastBytesRead() {
            return last;
        }

        @Override
        public void attemptedBytesRead(int bytes) {
            attempted = bytes;
        }

        @Override
        public int attemptedBytesRead() {
            return attempted;
        }

        @Override
        public boolean continueReading() {
            return true;
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
            return true;
        }

        @Override
        public void readComplete() {
        }
    }
}
