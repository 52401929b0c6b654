package io.tunnelplane.server.keepalive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tunnelplane.agent.Agent;
import io.tunnelplane.protocol.DisconnectCause;
import io.tunnelplane.protocol.keepalive.KeepaliveRole;
import io.tunnelplane.protocol.keepalive.KeepaliveSettings;
import io.tunnelplane.server.support.FaultyLink;
import io.tunnelplane.server.support.FreePorts;
import io.tunnelplane.server.support.LocalService;
import io.tunnelplane.server.support.TestAgents;
import io.tunnelplane.server.support.TestServer;
import io.tunnelplane.server.support.Visitor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The keepalive promises on real sockets through a fault-injecting relay between agent and server: a dead path is
 * found on both sides within time + timeout, and a saturated slow path is never mistaken for a dead one.
 */
class KeepaliveOverBadPathsIT {
    private static final String TOKEN = "path.secret";

    private static Map<String, Object> serverProps(String time, String timeout, int echoPort, int publicPort) {
        Map<String, Object> props = TestServer.defaults();
        props.put("tunnel.server.keepalive.time", time);
        props.put("tunnel.server.keepalive.timeout", timeout);
        TestServer.client(props, "path", TOKEN);
        TestServer.proxy(props, 0, "echo", echoPort, publicPort);
        return props;
    }

    @Test
    void blackholedPathIsDetectedOnBothSidesWithinTheBoundAndTheAgentComesBack() throws Exception {
        int publicPort = FreePorts.inRange(10000, 20000);
        KeepaliveSettings settings = KeepaliveSettings.of(Duration.ofSeconds(1), Duration.ofSeconds(1));
        try (LocalService echo = new LocalService(LocalService.Mode.ECHO);
                TestServer server = TestServer.start(serverProps("1s", "1s", echo.port(), publicPort));
                FaultyLink link = new FaultyLink(server.agentPort())) {
            Agent agent = TestAgents.start(link.port(), TOKEN, Duration.ofSeconds(1));
            try {
                Visitor.awaitEcho(publicPort, Duration.ofSeconds(20));
                link.refuseNew(true); // keep the agent from reconnecting (and replacing) before the server decides
                link.blackhole();
                // Bound: the later end's (the agent follows the server's probing, so its quiet period is two ticks
                // longer) quiet period + probe timeout + the timer's lateness, plus margin on a busy CI machine.
                Duration bound = settings.detectionBound(KeepaliveRole.FOLLOW).plusSeconds(2);
                await().atMost(bound).untilAsserted(() -> {
                    assertThat(agent.metrics().disconnects()).containsEntry(DisconnectCause.KEEPALIVE_TIMEOUT, 1L);
                    assertThat(server.get("/actuator/prometheus").body()).containsPattern(
                            "tunnel_keepalive_timeouts_total\\{client=\"path\",side=\"server\"} 1\\.0");
                });
                // The agent reconnects through the (new, healthy) path and reports what it saw.
                link.refuseNew(false);
                Visitor.awaitEcho(publicPort, Duration.ofSeconds(20));
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                        server.get("/actuator/prometheus").body()).containsPattern(
                        "tunnel_reconnects_total\\{client=\"path\",previous_cause=\"keepalive_timeout\"} 1\\.0")
                        .containsPattern("tunnel_keepalive_timeouts_total\\{client=\"path\",side=\"agent\"} 1\\.0"));
            } finally {
                agent.stop();
            }
        }
    }

    @Test
    void saturatedOneMegabitPathWithADeepBufferNeverTimesOut() throws Exception {
        // Every probe answer queues behind megabytes.
        assertThat(saturateSlowPathAndCheckTheSessionLived(1, Duration.ZERO))
                .as("RTT was still sampled on the busy session, into histogram buckets")
                .containsPattern("tunnel_heartbeat_rtt_seconds_bucket\\{client=\"path\",le=\"[0-9.]+\"} [1-9]");
    }

    @Test
    void saturatedSlowPathWithManyBusyStreamsNeverStalls() throws Exception {
        // Eight streams may have 8 MiB in flight together (their windows stay at 1 MiB on this path), more than the
        // path's buffer and the sockets' buffers hold: the session's own outbound buffer stays full, and drains
        // only at 1 Mbit/s. What the visitors sent keeps draining for up to a minute after they left (DATA already
        // queued cannot be taken back), with the outbound buffer standing still between socket wake-ups: the
        // session must live through that too. Watched for two timeouts.
        saturateSlowPathAndCheckTheSessionLived(8, Duration.ofSeconds(8));
    }

    @Test
    void saturatedSlowPathWithManyBusyStreamsNeverStallsOnNio() throws Exception {
        // NIO (every platform without epoll: agents on macOS and Windows) cannot ask the kernel for the peer's ACKs,
        // and its socket reports room only after a third of a megabytes-deep buffer drained.
        String previous = System.setProperty("tunnel.transport", "nio");
        try {
            saturateSlowPathAndCheckTheSessionLived(8, Duration.ofSeconds(8));
        } finally {
            if (previous == null) {
                System.clearProperty("tunnel.transport");
            } else {
                System.setProperty("tunnel.transport", previous);
            }
        }
    }

    /**
     * Throttles the agent's path to 1 Mbit/s each way behind 2 MiB of buffer (up to 16 s of queueing, four times
     * the 4 s timeout), keeps it saturated with {@code visitors} for six keepalive periods (12 s), watches the
     * session for {@code watchAfter} more, and checks that neither end saw a disconnect. Returns the server's
     * metrics for further checks.
     */
    private static String saturateSlowPathAndCheckTheSessionLived(int visitors, Duration watchAfter)
            throws Exception {
        int publicPort = FreePorts.inRange(10000, 20000);
        try (LocalService echo = new LocalService(LocalService.Mode.ECHO);
                TestServer server = TestServer.start(serverProps("2s", "4s", echo.port(), publicPort));
                FaultyLink link = new FaultyLink(server.agentPort())) {
            Agent agent = TestAgents.start(link.port(), TOKEN, Duration.ofSeconds(1));
            try {
                Visitor.awaitEcho(publicPort, Duration.ofSeconds(20));
                link.throttle(125_000, 2 << 20);
                assertThat(saturate(publicPort, visitors, Duration.ofSeconds(12)))
                        .as("bytes came back through the saturated path").isPositive();
                if (!watchAfter.isZero()) {
                    await().during(watchAfter).atMost(watchAfter.plusSeconds(2))
                            .until(() -> agent.metrics().disconnects().isEmpty());
                }
                assertThat(agent.metrics().sessions()).as("no reconnect").isEqualTo(1);
                assertThat(agent.metrics().disconnects()).as("no disconnect on the agent").isEmpty();
                String metrics = server.get("/actuator/prometheus").body();
                assertThat(metrics)
                        .doesNotContain("tunnel_keepalive_timeouts_total{")
                        .doesNotContainPattern("tunnel_disconnects_total\\{agent_version=\"[^\"]*\",cause=\"[a-z_]+\"} [1-9]");
                return metrics;
            } finally {
                agent.stop();
            }
        }
    }

    /**
     * Visitors that write as fast as the path takes and read every echo until the time is up, when their sockets
     * are closed (a write blocked on the slow path ends then too); returns the bytes echoed.
     */
    private static long saturate(int publicPort, int visitors, Duration duration) throws Exception {
        AtomicLong echoed = new AtomicLong();
        List<Socket> sockets = new ArrayList<>();
        List<CompletableFuture<Void>> ends = new ArrayList<>();
        AtomicBoolean timeUp = new AtomicBoolean();
        // A thread each: every reader and writer blocks, which a shared pool sized by the cores would serialise.
        ExecutorService threads = Executors.newCachedThreadPool();
        try {
            startVisitors(publicPort, visitors, threads, sockets, ends, echoed, timeUp);
            CompletableFuture.runAsync(() -> {
                timeUp.set(true);
                closeAll(sockets);
            }, CompletableFuture.delayedExecutor(duration.toMillis(), TimeUnit.MILLISECONDS, threads)).get();
            CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new)).get();
            return echoed.get();
        } finally {
            closeAll(sockets);
            threads.shutdownNow();
        }
    }

    private static void closeAll(List<Socket> sockets) {
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing is all we want
            }
        }
    }

    private static void startVisitors(int publicPort, int visitors, ExecutorService threads, List<Socket> sockets,
            List<CompletableFuture<Void>> ends, AtomicLong echoed, AtomicBoolean timeUp) throws IOException {
        for (int i = 0; i < visitors; i++) {
            Socket visitor = Visitor.connect(publicPort);
            visitor.setSoTimeout(0);
            sockets.add(visitor);
            InputStream in = visitor.getInputStream();
            OutputStream out = visitor.getOutputStream();
            ends.add(CompletableFuture.runAsync(() -> {
                byte[] buffer = new byte[64 * 1024];
                try {
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                        echoed.addAndGet(n);
                    }
                } catch (IOException closed) {
                    // closed when the time is up
                }
            }, threads));
            ends.add(CompletableFuture.runAsync(() -> {
                byte[] chunk = new byte[16 * 1024];
                try {
                    while (!timeUp.get()) {
                        out.write(chunk);
                    }
                } catch (IOException e) {
                    if (!timeUp.get()) {
                        throw new UncheckedIOException("the path failed a visitor before the time was up", e);
                    }
                }
            }, threads));
        }
    }
}
