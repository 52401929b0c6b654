package io.tunnelplane.agent;

import io.tunnelplane.protocol.control.ControlMessage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What this host has left: the agent process's open files against its limit, and the host's available memory.
 * Read from the JVM's Unix MXBean and Linux's /proc/meminfo; a value the platform does not give is -1.
 */
final class HostResources {
    private static final Path MEMINFO = Path.of("/proc/meminfo");

    private HostResources() {
    }

    static ControlMessage.HostReport read() {
        long open = -1;
        long max = -1;
        long available = -1;
        long total = -1;
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            open = unix.getOpenFileDescriptorCount();
            max = unix.getMaxFileDescriptorCount();
        }
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            available = sun.getFreeMemorySize();
            total = sun.getTotalMemorySize();
        }
        // MemAvailable counts reclaimable page cache, which "free" does not: the figure that predicts OOM.
        try {
            List<String> lines = Files.readAllLines(MEMINFO);
            available = meminfo(lines, "MemAvailable:", available);
            total = meminfo(lines, "MemTotal:", total);
        } catch (IOException | RuntimeException notLinux) {
            // keep the MXBean's figures
        }
        return new ControlMessage.HostReport(open, max, available, total);
    }

    static long meminfo(List<String> lines, String key, long fallback) {
        for (String line : lines) {
            if (line.startsWith(key)) {
                String[] parts = line.substring(key.length()).strip().split("\\s+");
                long value = Long.parseLong(parts[0]);
                return parts.length > 1 && parts[1].equalsIgnoreCase("kB") ? value * 1024 : value;
            }
        }
        return fallback;
    }
}
