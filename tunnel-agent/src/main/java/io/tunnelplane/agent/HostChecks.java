package io.tunnelplane.agent;

import io.tunnelplane.protocol.control.ControlMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The doctor's look at this host: limits that make an agent fail under load, and kernel TCP settings that decide
 * how long idle or dead connections live. Each check returns one line that says what to change, if anything.
 */
final class HostChecks {
    /** Each visitor connection costs the agent one descriptor for its local dial; below this, bursts hit EMFILE. */
    static final long MIN_OPEN_FILES = 4096;
    static final long MIN_AVAILABLE_MEMORY = 128L << 20;

    private HostChecks() {
    }

    /** Open-file limit and available memory, from a host report. */
    static String limits(ControlMessage.HostReport host) {
        StringBuilder text = new StringBuilder();
        boolean warn = false;
        if (host.maxFiles() > 0) {
            text.append("open files ").append(host.openFiles()).append(" of limit ").append(host.maxFiles());
            if (host.maxFiles() < MIN_OPEN_FILES) {
                warn = true;
                text.append(": WARN the limit caps this agent at about ").append(host.maxFiles() - host.openFiles())
                        .append(" concurrent visitor connections; raise it to 65536 (ulimit -n 65536 before "
                                + "starting, LimitNOFILE=65536 in a systemd unit, or --ulimit nofile=65536 "
                                + "for docker)");
            }
        } else {
            text.append("open-file limit unknown on this platform");
        }
        if (host.memoryAvailableBytes() >= 0) {
            text.append("; memory available ").append(host.memoryAvailableBytes() >> 20).append(" MiB of ")
                    .append(host.memoryTotalBytes() >> 20).append(" MiB");
            if (host.memoryAvailableBytes() < MIN_AVAILABLE_MEMORY) {
                warn = true;
                text.append(": WARN the OOM killer may end the agent; free memory or cap other processes");
            }
        }
        return (warn ? "" : "ok: ") + text;
    }

    /**
     * The kernel's TCP timers as this host applies them.
     *
     * @param conntrackEstablished how long this host's connection tracking keeps an idle established flow,
     *                             null when conntrack is not loaded
     */
    record KernelTcp(long keepaliveTimeSeconds, long keepaliveIntervalSeconds, long keepaliveProbes, long retries2,
            Long conntrackEstablished) {

        static KernelTcp read(Path procSys) {
            return new KernelTcp(number(procSys.resolve("net/ipv4/tcp_keepalive_time")),
                    number(procSys.resolve("net/ipv4/tcp_keepalive_intvl")),
                    number(procSys.resolve("net/ipv4/tcp_keepalive_probes")),
                    number(procSys.resolve("net/ipv4/tcp_retries2")),
                    Files.exists(procSys.resolve("net/netfilter/nf_conntrack_tcp_timeout_established"))
                            ? number(procSys.resolve("net/netfilter/nf_conntrack_tcp_timeout_established")) : null);
        }

        private static long number(Path file) {
            try {
                return Long.parseLong(Files.readString(file).strip());
            } catch (IOException | NumberFormatException e) {
                return -1;
            }
        }

        /**
         * What these settings mean for a session probed every {@code keepalive}. The agent sets its own TCP
         * keepalive per socket, so the global keepalive defaults matter only for the local services it dials;
         * conntrack on this host, however, drops the session itself if it forgets the flow first.
         */
        String advice(Duration keepalive) {
            StringBuilder text = new StringBuilder("tcp_keepalive_time=" + keepaliveTimeSeconds + "s intvl="
                    + keepaliveIntervalSeconds + "s probes=" + keepaliveProbes + " tcp_retries2=" + retries2
                    + (conntrackEstablished == null ? "" : " nf_conntrack_tcp_timeout_established="
                    + conntrackEstablished + "s"));
            boolean warn = false;
            if (conntrackEstablished != null && conntrackEstablished <= keepalive.toSeconds() * 2) {
                warn = true;
                text.append(": WARN this host's conntrack forgets an idle flow after ").append(conntrackEstablished)
                        .append(" s, too close to the ").append(keepalive.toSeconds()).append(" s keepalive; ")
                        .append("sysctl -w net.netfilter.nf_conntrack_tcp_timeout_established=7440");
            }
            boolean note = keepaliveTimeSeconds > 600;
            if (note) {
                text.append(warn ? "; " : ": ").append("NOTE the session is unaffected (the agent sets TCP_KEEPIDLE per "
                        + "socket), but idle connections to local services get their first kernel probe after ")
                        .append(keepaliveTimeSeconds).append(" s; a NAT or firewall between agent and service "
                        + "may drop them first: sysctl -w net.ipv4.tcp_keepalive_time=300");
            }
            return (warn || note ? "" : "ok: ") + text;
        }
    }
}
