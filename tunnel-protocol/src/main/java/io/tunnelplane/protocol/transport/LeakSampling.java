package io.tunnelplane.protocol.transport;

import io.netty.util.ResourceLeakDetector;

/**
 * Netty's default leak detection samples one buffer allocation in 128 and records a stack trace for it: on a busy
 * relay that is hundreds of traces a second (measured: ~350/s per process, docs/benchmarks.md session 7). Every
 * build already runs the whole test suite with paranoid detection that fails on any leak, so the shipped processes
 * turn sampling off unless the operator asks for it with {@code -Dio.netty.leakDetection.level=simple}.
 */
public final class LeakSampling {
    private static final String LEVEL_PROPERTY = "io.netty.leakDetection.level";

    private LeakSampling() {
    }

    /** Call first thing in {@code main}: sampling is off unless the level was chosen on the command line. */
    public static void offUnlessConfigured() {
        if (System.getProperty(LEVEL_PROPERTY) == null && System.getProperty("io.netty.leakDetectionLevel") == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
    }
}
