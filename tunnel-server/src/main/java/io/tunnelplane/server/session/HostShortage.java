package io.tunnelplane.server.session;

import io.tunnelplane.protocol.control.ControlMessage;

/** Decides whether an agent host is running short, in words an operator can act on. */
final class HostShortage {
    /** Above this share of the open-file limit new visitor connections will soon fail with EMFILE. */
    static final double FILES_HIGH = 0.8;
    /** Below this share of physical memory the kernel starts reclaiming hard and the OOM killer is near. */
    static final double MEMORY_LOW = 0.05;

    private HostShortage() {
    }

    /** What the host is short of, or null when it is fine (or did not say). */
    static String describe(ControlMessage.HostReport report) {
        StringBuilder text = new StringBuilder();
        if (report.maxFiles() > 0 && report.openFiles() >= report.maxFiles() * FILES_HIGH) {
            text.append("open_files=").append(report.openFiles()).append('/').append(report.maxFiles())
                    .append(" (raise the agent's limit: ulimit -n or LimitNOFILE=)");
        }
        if (report.memoryTotalBytes() > 0 && report.memoryAvailableBytes() >= 0
                && report.memoryAvailableBytes() < report.memoryTotalBytes() * MEMORY_LOW) {
            text.append(text.length() == 0 ? "" : " ").append("memory_available_mib=")
                    .append(report.memoryAvailableBytes() >> 20).append('/').append(report.memoryTotalBytes() >> 20);
        }
        return text.length() == 0 ? null : text.toString();
    }
}
