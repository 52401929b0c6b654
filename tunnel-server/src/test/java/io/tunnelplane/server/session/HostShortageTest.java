package io.tunnelplane.server.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.tunnelplane.protocol.control.ControlMessage.HostReport;
import org.junit.jupiter.api.Test;

class HostShortageTest {
    private static final long GIB = 1L << 30;

    @Test
    void aHealthyHostIsNotShort() {
        assertThat(HostShortage.describe(new HostReport(100, 65_536, 4 * GIB, 8 * GIB))).isNull();
    }

    @Test
    void openFilesNearTheLimitAreNamedWithTheFix() {
        assertThat(HostShortage.describe(new HostReport(900, 1024, 4 * GIB, 8 * GIB)))
                .isEqualTo("open_files=900/1024 (raise the agent's limit: ulimit -n or LimitNOFILE=)");
    }

    @Test
    void lowMemoryIsNamedInMebibytes() {
        assertThat(HostShortage.describe(new HostReport(10, 1024, 100L << 20, 8 * GIB)))
                .isEqualTo("memory_available_mib=100/8192");
    }

    @Test
    void unknownFiguresAreNotAShortage() {
        assertThat(HostShortage.describe(new HostReport(-1, -1, -1, -1))).isNull();
    }
}
