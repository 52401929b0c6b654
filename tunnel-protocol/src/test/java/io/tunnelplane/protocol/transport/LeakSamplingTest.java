package io.tunnelplane.protocol.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LeakSamplingTest {
    private static final String PROPERTY = "io.netty.leakDetection.level";
    private String property;
    private ResourceLeakDetector.Level level;

    @BeforeEach
    void remember() {
        property = System.getProperty(PROPERTY);
        level = ResourceLeakDetector.getLevel();
    }

    @AfterEach
    void restore() {
        if (property == null) {
            System.clearProperty(PROPERTY);
        } else {
            System.setProperty(PROPERTY, property);
        }
        ResourceLeakDetector.setLevel(level);
    }

    @Test
    void samplingIsOffWhenNobodyChoseALevel() {
        System.clearProperty(PROPERTY);
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
        LeakSampling.offUnlessConfigured();
        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.DISABLED);
    }

    @Test
    void aLevelChosenOnTheCommandLineIsKept() {
        System.setProperty(PROPERTY, "simple");
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
        LeakSampling.offUnlessConfigured();
        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.SIMPLE);
    }
}
