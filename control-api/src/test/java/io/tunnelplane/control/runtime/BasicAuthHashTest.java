package io.tunnelplane.control.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BasicAuthHashTest {

    @Test
    void theRightPasswordMatchesAndEqualPasswordsDoNotLookEqual() {
        String first = BasicAuthHash.hash("correct horse");
        String second = BasicAuthHash.hash("correct horse");
        assertThat(first).startsWith("sha256:").doesNotContain("correct horse").isNotEqualTo(second);
        assertThat(BasicAuthHash.matches(first, "correct horse")).isTrue();
        assertThat(BasicAuthHash.matches(second, "correct horse")).isTrue();
        assertThat(BasicAuthHash.matches(first, "correct horsE")).isFalse();
        assertThat(BasicAuthHash.matches(first, "")).isFalse();
        assertThat(BasicAuthHash.matches("md5:x:y", "correct horse")).as("unknown scheme").isFalse();
    }
}
