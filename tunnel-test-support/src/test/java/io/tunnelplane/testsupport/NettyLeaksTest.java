package io.tunnelplane.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

/** The check itself: a buffer dropped without release is reported, a released one is not. */
class NettyLeaksTest {

    @Test
    void aBufferDroppedWithoutReleaseIsReported() {
        leakOne();
        assertThat(NettyLeaks.collect()).singleElement().asString()
                .startsWith("LEAK: ByteBuf").contains("leakOne");
    }

    @Test
    void releasedBuffersLeaveNoReport() {
        for (int i = 0; i < 100; i++) {
            ByteBuf buffer = PooledByteBufAllocator.DEFAULT.directBuffer(64).writeInt(i);
            buffer.release();
        }
        assertThat(NettyLeaks.collect()).isEmpty();
    }

    private static void leakOne() {
        ByteBuf forgotten = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        forgotten.writeInt(42); // a recorded access, so the report names this method
    }
}
