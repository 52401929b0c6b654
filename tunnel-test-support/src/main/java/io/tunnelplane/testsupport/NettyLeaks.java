package io.tunnelplane.testsupport;

import io.netty.buffer.PooledByteBufAllocator;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the Netty resources that became unreachable without being released: runs the garbage collector until the
 * JVM has processed its references, then lets every detector report. Leaks can only be seen after the collector
 * found them, so without this a leak in the last seconds of a test run would never be reported at all.
 */
public final class NettyLeaks {
    private static final int ROUNDS = 2;

    private NettyLeaks() {
    }

    /** The leak reports that appeared since the last call; fails when the recording detector is not in use. */
    public static List<String> collect() {
        requireInstalled();
        List<String> reports = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            collectGarbage();
            RecordingLeakDetector.pollAll();
            reports.addAll(RecordingLeakDetector.drainReports());
        }
        return reports;
    }

    private static void requireInstalled() {
        // Allocating a pooled buffer makes Netty create the ByteBuf detector, if this JVM has not done so yet.
        PooledByteBufAllocator.DEFAULT.directBuffer(1).release();
        if (!RecordingLeakDetector.installed()) {
            throw new IllegalStateException("the leak check is not wired: run the tests with "
                    + "-Dio.netty.customResourceLeakDetector=" + RecordingLeakDetector.class.getName());
        }
    }

    /** A full collection, and the reference handler's queue processed up to a sentinel cleared by that collection. */
    private static void collectGarbage() {
        ReferenceQueue<Object> queue = new ReferenceQueue<>();
        WeakReference<Object> sentinel = new WeakReference<>(new Object(), queue);
        System.gc();
        try {
            if (queue.remove(2_000) == null) {
                System.gc();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sentinel.clear();
    }
}
