package io.tunnelplane.testsupport;

import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reports a buffer (or any tracked resource) that was never released. Registered for
 * every JUnit Jupiter test class through extension auto-detection; leaks found before the class starts belong to
 * an earlier class and fail the one after it at the latest, never silently.
 */
public final class NettyLeakCheck implements BeforeAllCallback, AfterAllCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        fail(NettyLeaks.collect(), "before " + context.getDisplayName() + " (left by an earlier test class)");
    }

    @Override
    public void afterAll(ExtensionContext context) {
        fail(NettyLeaks.collect(), "in " + context.getDisplayName());
    }

    private static void fail(List<String> reports, String where) {
        if (!reports.isEmpty()) {
            throw new AssertionError(reports.size() + " Netty resource leak(s) " + where + ":\n"
                    + String.join("\n", reports));
        }
    }
}
