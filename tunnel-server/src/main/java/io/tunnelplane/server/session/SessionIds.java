package io.tunnelplane.server.session;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Session ids: random (version 4) UUIDs from the calling thread's own generator. They name a session in logs and
 * the API and need to be unique, not secret; {@link UUID#randomUUID()} draws from the platform's one
 * SecureRandom lock, which event loops waited on for milliseconds during a reconnect storm (docs/benchmarks.md).
 */
final class SessionIds {
    private SessionIds() {
    }

    static String next() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L; // version 4
        long low = (random.nextLong() & ~(0xC000L << 48)) | (0x8000L << 48); // IETF variant
        return new UUID(high, low).toString();
    }
}
