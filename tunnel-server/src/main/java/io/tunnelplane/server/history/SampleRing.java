package io.tunnelplane.server.history;

import io.tunnelplane.control.runtime.TrafficSample;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One client's newest samples in a fixed ring of ints (16 bytes a sample: 10 000 clients with 30 minutes at 10 s
 * each take 29 MB), written by the sampler and read by web threads.
 */
final class SampleRing {
    private static final int NO_RTT = -1;
    private final int[] seconds;
    private final int[] rttMicros;
    private final int[] in;
    private final int[] out;
    private int next;
    private int size;

    SampleRing(int capacity) {
        seconds = new int[capacity];
        rttMicros = new int[capacity];
        in = new int[capacity];
        out = new int[capacity];
    }

    synchronized void add(Instant at, Long rtt, long inPerSecond, long outPerSecond) {
        seconds[next] = (int) at.getEpochSecond();
        rttMicros[next] = rtt == null ? NO_RTT : saturated(rtt);
        in[next] = saturated(inPerSecond);
        out[next] = saturated(outPerSecond);
        next = (next + 1) % seconds.length;
        size = Math.min(size + 1, seconds.length);
    }

    /** Oldest first. */
    synchronized List<TrafficSample> samples() {
        List<TrafficSample> samples = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            int at = (next - size + i + seconds.length) % seconds.length;
            samples.add(new TrafficSample(Instant.ofEpochSecond(Integer.toUnsignedLong(seconds[at])),
                    rttMicros[at] == NO_RTT ? null : (long) rttMicros[at], in[at], out[at]));
        }
        return samples;
    }

    /** The newest sample, null when there is none. */
    synchronized TrafficSample newest() {
        return size == 0 ? null : samples().get(size - 1);
    }

    private static int saturated(long value) {
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, value));
    }
}
