package io.tunnelplane.control.console;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** How the console writes times and sizes: UTC to the second, and how long ago. */
public final class Formats {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    public String time(Instant instant) {
        return instant == null ? "-" : TIME.format(instant);
    }

    /** "3 min ago", "2 h ago", "5 d ago". */
    public String ago(Instant instant) {
        if (instant == null) {
            return "never";
        }
        Duration age = Duration.between(instant, Instant.now());
        if (age.toMinutes() < 1) {
            return "just now";
        }
        if (age.toHours() < 1) {
            return age.toMinutes() + " min ago";
        }
        return age.toDays() < 1 ? age.toHours() + " h ago" : age.toDays() + " d ago";
    }

    /** 1.2 MB, 340 kB, 12 B. */
    public String bytes(long bytes) {
        if (bytes < 1_000) {
            return bytes + " B";
        }
        return bytes < 1_000_000 ? String.format(java.util.Locale.ROOT, "%.0f kB", bytes / 1e3)
                : bytes < 1_000_000_000 ? String.format(java.util.Locale.ROOT, "%.1f MB", bytes / 1e6)
                : String.format(java.util.Locale.ROOT, "%.2f GB", bytes / 1e9);
    }

    public String millis(Long micros) {
        return micros == null ? "-" : String.format(java.util.Locale.ROOT, "%.1f ms", micros / 1000.0);
    }
}
