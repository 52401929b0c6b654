package io.tunnelplane.protocol.mux;

import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.AttributeKey;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Receive-window auto-tuning for the streams of one session. Every stream starts with the session's stream window;
 * a stream whose relay takes a whole window in less than a round trip's worth of time (see {@link #growWithinNanos})
 * was waiting for WINDOW_UPDATEs, not for its reader, so its window doubles, up to the session's maximum. A slow
 * path or a slow reader never takes a window that fast, so it keeps the small window: little data queued ahead of
 * keepalive probes and little memory held for a stalled reader.
 *
 * <p>Installed on the session channel by {@link MuxPipeline}; relays find it with {@link #tunerFor}.
 */
public final class StreamWindows {
    static final AttributeKey<StreamWindows> KEY = AttributeKey.valueOf(StreamWindows.class, "windows");

    /**
     * A window taken within this is fast whatever the round trip says. It also bounds what growing costs: a window
     * doubled at a given pace holds about two of these of data at that pace, the most that can queue ahead of a
     * probe on its account.
     */
    static final long MIN_GROW_WITHIN_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /** Caps the round trip a bufferbloated path reports, so that a slow path never counts as a long fat one. */
    static final long MAX_GROW_WITHIN_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final Http2Connection connection;
    private final int initialWindow;
    private final int maxWindow;
    private final LongSupplier rttNanos;
    private final LongSupplier clock;

    StreamWindows(Http2Connection connection, MuxSettings settings, LongSupplier rttNanos, LongSupplier clock) {
        this.connection = connection;
        this.initialWindow = settings.streamWindowBytes();
        this.maxWindow = settings.maxStreamWindowBytes();
        this.rttNanos = rttNanos;
        this.clock = clock;
    }

    /** The tuner for a stream channel of a session set up by {@link MuxPipeline}, or one that does nothing. */
    public static Tuner tunerFor(Channel stream) {
        StreamWindows windows = stream instanceof Http2StreamChannel child ? child.parent().attr(KEY).get() : null;
        if (windows == null || windows.maxWindow <= windows.initialWindow) {
            return Tuner.NONE;
        }
        return windows.new StreamTuner((Http2StreamChannel) stream);
    }

    /**
     * How fast a window must be taken to grow it: twice the session's last probe round trip, so that a long path
     * gets the window its bandwidth-delay product needs, within {@link #MIN_GROW_WITHIN_NANOS} and
     * {@link #MAX_GROW_WITHIN_NANOS}.
     */
    long growWithinNanos() {
        return Math.max(MIN_GROW_WITHIN_NANOS, Math.min(MAX_GROW_WITHIN_NANOS, 2 * rttNanos.getAsLong()));
    }

    /** Told what a relay takes from its stream; called on the stream's event loop. */
    public interface Tuner {
        Tuner NONE = new Tuner() {
            @Override
            public void taken(int flowControlledBytes) {
            }

            @Override
            public void batchEnded(boolean readerKeptUp) {
            }
        };

        /** A DATA frame was taken. */
        void taken(int flowControlledBytes);

        /**
         * A read batch ended; {@code readerKeptUp} when what it took is already on its way (the relay can read again
         * at once). A reader that could not keep up is why the window ran out, so that measurement does not count:
         * a slow reader takes a whole queued window at once each time it catches up.
         */
        void batchEnded(boolean readerKeptUp);
    }

    private final class StreamTuner implements Tuner {
        private final Http2StreamChannel stream;
        private int window = initialWindow;
        private long epochStart;
        private long takenInEpoch;

        StreamTuner(Http2StreamChannel stream) {
            this.stream = stream;
        }

        @Override
        public void taken(int flowControlledBytes) {
            if (takenInEpoch == 0) {
                epochStart = clock.getAsLong();
            }
            takenInEpoch += flowControlledBytes;
        }

        @Override
        public void batchEnded(boolean readerKeptUp) {
            if (!readerKeptUp) {
                takenInEpoch = 0;
                return;
            }
            if (takenInEpoch < window) {
                return;
            }
            boolean fast = clock.getAsLong() - epochStart <= growWithinNanos();
            takenInEpoch = 0;
            if (fast && window < maxWindow) {
                grow();
            }
        }

        private void grow() {
            Http2Stream h2 = connection.stream(stream.stream().id());
            if (h2 == null) {
                return;
            }
            int larger = (int) Math.min((long) window * 2, maxWindow);
            try {
                // Raises the stream's own initial window, so that later WINDOW_UPDATEs refill it to the new size,
                // and writes the update for the difference.
                connection.local().flowController().incrementWindowSize(h2, larger - window);
            } catch (Http2Exception e) {
                return; // the stream is closing; its window no longer matters
            }
            window = larger;
            // Written on the session, not the stream: flushed there (deferred while the session reads, like the
            // other streams' flushes).
            stream.parent().flush();
        }
    }
}
