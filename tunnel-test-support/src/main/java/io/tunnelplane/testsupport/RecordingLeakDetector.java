package io.tunnelplane.testsupport;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakTracker;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Netty's leak detector, keeping every report so that a test can fail on it instead of a line scrolling past in
 * the log. Netty creates it (for ByteBuf and every other tracked resource) when the test JVM runs with
 * {@code -Dio.netty.customResourceLeakDetector=io.tunnelplane.testsupport.RecordingLeakDetector}, set by the build.
 */
public final class RecordingLeakDetector<T> extends ResourceLeakDetector<T> {
    private static final List<RecordingLeakDetector<?>> INSTANCES = new CopyOnWriteArrayList<>();
    private static final List<String> REPORTS = new CopyOnWriteArrayList<>();

    public RecordingLeakDetector(Class<?> resourceType, int samplingInterval) {
        super(resourceType, samplingInterval);
        INSTANCES.add(this);
    }

    /** The constructor Netty's older factory method looks for. */
    public RecordingLeakDetector(Class<?> resourceType, int samplingInterval, long maxActive) {
        this(resourceType, samplingInterval);
    }

    static boolean installed() {
        return !INSTANCES.isEmpty();
    }

    /** Makes every detector look at the resources the garbage collector found unreachable since it last looked. */
    @SuppressWarnings("unchecked")
    static void pollAll() {
        for (RecordingLeakDetector<?> detector : INSTANCES) {
            Object probe = new Object();
            // Tracking anything runs the detector's report pass; the probe itself is closed at once.
            ResourceLeakTracker<Object> tracker = ((ResourceLeakDetector<Object>) detector).track(probe);
            if (tracker != null) {
                tracker.close(probe);
            }
        }
    }

    /** The reports recorded since the last call, removed. */
    static List<String> drainReports() {
        List<String> drained = List.copyOf(REPORTS);
        REPORTS.removeAll(drained);
        return drained;
    }

    @Override
    protected boolean needReport() {
        return true; // record even when the logger is quiet
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
        REPORTS.add("LEAK: " + resourceType + " was not released" + records);
        super.reportTracedLeak(resourceType, records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
        REPORTS.add("LEAK: " + resourceType + " was not released (no access records)");
        super.reportUntracedLeak(resourceType);
    }
}
