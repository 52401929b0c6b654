package io.tunnelplane.server.admission;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void anIdleBucketLetsABurstThroughAndThenPacesToTheRate() {
        TokenBucket bucket = new TokenBucket(1_000_000); // burst: 100 000 bytes
        long now = 5 * SECOND;
        bucket.use(100_000, now);
        assertThat(bucket.delayNanos(now)).as("the burst passes").isZero();
        bucket.use(500_000, now);
        assertThat(bucket.delayNanos(now)).as("half a second of debt").isEqualTo(SECOND / 2);
        assertThat(bucket.delayNanos(now + SECOND / 2)).isZero();
    }

    @Test
    void overTimeTheRateHoldsWhateverTheReadSizes() {
        TokenBucket bucket = new TokenBucket(10_000_000);
        long now = 0;
        long moved = 0;
        while (now < 10 * SECOND) {
            now += bucket.delayNanos(now);
            bucket.use(65_536, now);
            moved += 65_536;
        }
        // 10 s at 10 MB/s, plus the one burst an idle bucket starts with (and the read that ends the loop).
        assertThat(moved).isBetween(100_000_000L, 101_000_000L + 2 * 65_536);
    }

    @Test
    void noLimitNeverWaitsAndARateChangeAppliesAtOnce() {
        TokenBucket bucket = new TokenBucket(0);
        bucket.use(1L << 40, 0);
        assertThat(bucket.delayNanos(0)).isZero();
        bucket.rate(1_000_000);
        bucket.use(1_100_000, 0);
        assertThat(bucket.delayNanos(0)).isEqualTo(SECOND);
    }

    @Test
    void datagramsTakenOnlyWhileNothingIsOwedPassTheBurstAndThenTheRate() {
        TokenBucket bucket = new TokenBucket(1_000_000);
        long now = SECOND;
        int passed = 0;
        for (int i = 0; i < 1_000; i++) {
            if (bucket.delayNanos(now) == 0) {
                bucket.use(1_000, now);
                passed++;
            }
        }
        assertThat(passed).as("the burst, then nothing until time passes").isEqualTo(101);
        assertThat(bucket.delayNanos(now + SECOND / 100)).isZero();
    }
}
