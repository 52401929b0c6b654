package io.tunnelplane.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.tunnelplane.protocol.control.ControlMessage.HostReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostChecksTest {
    private static final long GIB = 1L << 30;

    @Test
    void aRoomyHostIsOk() {
        assertThat(HostChecks.limits(new HostReport(40, 65_536, 4 * GIB, 8 * GIB)))
                .isEqualTo("ok: open files 40 of limit 65536; memory available 4096 MiB of 8192 MiB");
    }

    @Test
    void aLowOpenFileLimitNamesTheCapAndTheFix() {
        assertThat(HostChecks.limits(new HostReport(40, 1024, 4 * GIB, 8 * GIB)))
                .startsWith("open files 40 of limit 1024: WARN the limit caps this agent at about 984")
                .contains("ulimit -n 65536").contains("LimitNOFILE=65536");
    }

    @Test
    void littleMemoryWarnsOfTheOomKiller() {
        assertThat(HostChecks.limits(new HostReport(40, 65_536, 64L << 20, 8 * GIB))).contains("WARN the OOM killer");
    }

    @Test
    void kernelSettingsAreReadFromProcSys(@TempDir Path sys) throws Exception {
        write(sys, "net/ipv4/tcp_keepalive_time", "7200\n");
        write(sys, "net/ipv4/tcp_keepalive_intvl", "75\n");
        write(sys, "net/ipv4/tcp_keepalive_probes", "9\n");
        write(sys, "net/ipv4/tcp_retries2", "15\n");
        assertThat(HostChecks.KernelTcp.read(sys)).isEqualTo(new HostChecks.KernelTcp(7200, 75, 9, 15, null));
        write(sys, "net/netfilter/nf_conntrack_tcp_timeout_established", "432000\n");
        assertThat(HostChecks.KernelTcp.read(sys).conntrackEstablished()).isEqualTo(432_000L);
    }

    @Test
    void aConntrackTimeoutNearTheKeepaliveIsAWarningWithTheSysctl() {
        String advice = new HostChecks.KernelTcp(60, 10, 6, 8, 40L).advice(Duration.ofSeconds(30));
        assertThat(advice).contains("WARN this host's conntrack forgets an idle flow after 40 s")
                .contains("sysctl -w net.netfilter.nf_conntrack_tcp_timeout_established=");
    }

    @Test
    void longKernelKeepaliveIsANoteAboutLocalServicesNotTheSession() {
        assertThat(new HostChecks.KernelTcp(7200, 75, 9, 15, 432_000L).advice(Duration.ofSeconds(15)))
                .contains("NOTE the session is unaffected").contains("net.ipv4.tcp_keepalive_time=300")
                .doesNotContain("WARN");
        assertThat(new HostChecks.KernelTcp(120, 30, 4, 8, null).advice(Duration.ofSeconds(15))).startsWith("ok: ");
    }

    private static void write(Path root, String name, String value) throws Exception {
        Path file = root.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, value);
    }

    @Test
    void meminfoIsParsedInKibibytes() {
        assertThat(HostResources.meminfo(List.of("MemTotal:       16384 kB", "MemAvailable:    8192 kB"),
                "MemAvailable:", -1)).isEqualTo(8192L * 1024);
        assertThat(HostResources.meminfo(List.of("MemTotal: 1 kB"), "MemAvailable:", -7)).isEqualTo(-7);
    }
}
