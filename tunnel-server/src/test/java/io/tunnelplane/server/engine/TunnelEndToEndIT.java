package io.tunnelplane.server.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tunnelplane.agent.Agent;
import io.tunnelplane.agent.ExitCode;
import io.tunnelplane.server.support.FreePorts;
import io.tunnelplane.server.support.LocalService;
import io.tunnelplane.server.support.TestAgents;
import io.tunnelplane.server.support.TestServer;
import io.tunnelplane.server.support.Visitor;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole tunnel with real sockets: the Spring Boot server, an in-process agent and real local services;
 * visitors are plain TCP clients of the public ports.
 */
class TunnelEndToEndIT {
    private static final String TOKEN = "demo.e2e-secret";

    private static LocalService echo;
    private static LocalService digest;
    private static LocalService doomed;
    private static LocalService resetter;
    private static LocalService source;
    private static TestServer server;
    private static Agent agent;
    private static int echoPort;
    private static int digestPort;
    private static int doomedPort;
    private static int resetterPort;
    private static int sourcePort;

    @BeforeAll
    static void startTunnel() throws IOException {
        echo = new LocalService(LocalService.Mode.ECHO);
        digest = new LocalService(LocalService.Mode.DIGEST);
        doomed = new LocalService(LocalService.Mode.ECHO);
        resetter = new LocalService(LocalService.Mode.RESET_AFTER_FIRST_READ);
        source = new LocalService(LocalService.Mode.SOURCE);
        echoPort = FreePorts.inRange(10000, 20000);
        digestPort = FreePorts.inRange(10000, 20000);
        doomedPort = FreePorts.inRange(10000, 20000);
        resetterPort = FreePorts.inRange(10000, 20000);
        sourcePort = FreePorts.inRange(10000, 20000);
        Map<String, Object> props = TestServer.defaults();
        TestServer.client(props, "demo", TOKEN);
        TestServer.proxy(props, 0, "echo", echo.port(), echoPort);
        TestServer.proxy(props, 1, "digest", digest.port(), digestPort);
        TestServer.proxy(props, 2, "doomed", doomed.port(), doomedPort);
        TestServer.proxy(props, 3, "resetter", resetter.port(), resetterPort);
        TestServer.proxy(props, 4, "source", source.port(), sourcePort);
        server = TestServer.start(props);
        agent = TestAgents.start(server.agentPort(), TOKEN, Duration.ofSeconds(2));
        await().atMost(Duration.ofSeconds(15)).ignoreExceptions().untilAsserted(() -> {
            assertThat(Visitor.exchange(echoPort, "hello".getBytes())).isEqualTo("hello".getBytes());
            assertThat(Visitor.exchange(doomedPort, "hi".getBytes())).isEqualTo("hi".getBytes());
        });
    }


    @AfterAll
    static void stopTunnel() throws IOException {
        if (agent != null) {
            agent.stop();
        }
        if (server != null) {
            server.close();
        }
        for (LocalService service : new LocalService[] {echo, digest, doomed, resetter, source}) {
            if (service != null) {
                service.close();
            }
        }
    }

    @Test
    void twoHundredConcurrentConnectionsEachMovingOneMebibyteBothWaysArriveIntact() throws Exception {
        int connections = 200;
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        try {
            List<CompletableFuture<String[]>> results = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                byte[] payload = new byte[1 << 20];
                new Random(i).nextBytes(payload);
                results.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        byte[] back = Visitor.exchange(echoPort, payload);
                        return new String[] {Visitor.sha256(payload), Visitor.sha256(back)};
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }, pool));
            }
            for (CompletableFuture<String[]> result : results) {
                String[] shas = result.get(120, TimeUnit.SECONDS);
                assertThat(shas[1]).as("SHA-256 of the echoed MiB").isEqualTo(shas[0]);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void halfClosedVisitorStillReceivesTheResponseSentAfterItsFin() throws IOException {
        byte[] request = new byte[300_000];
        new Random(7).nextBytes(request);
        byte[] response = Visitor.exchange(digestPort, request);
        assertThat(new String(response, StandardCharsets.US_ASCII)).isEqualTo(Visitor.sha256(request));
    }

    @Test
    void visitorResetReachesTheLocalServiceAsAReset() throws IOException {
        int before = digest.resets();
        try (Socket socket = Visitor.connect(digestPort)) {
            socket.getOutputStream().write(new byte[10_000]);
            socket.getOutputStream().flush();
            await().atMost(Duration.ofSeconds(10)).until(() -> digest.accepted() > 0);
            socket.setSoLinger(true, 0); // close with RST instead of FIN
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> digest.resets() > before);
    }

    @Test
    void killingTheLocalServiceClosesPublicConnectionsPromptly() throws IOException {
        try (Socket socket = Visitor.connect(doomedPort)) {
            socket.getOutputStream().write("ping".getBytes());
            InputStream in = socket.getInputStream();
            assertThat(new String(in.readNBytes(4))).isEqualTo("ping");
            doomed.close();
            assertThat(Visitor.endsWithoutHanging(in)).as("connection ended instead of hanging").isTrue();
        }
        // With the service gone, a new visitor is turned away at once rather than left waiting.
        try (Socket socket = Visitor.connect(doomedPort)) {
            assertThat(Visitor.turnedAwayAfterSending(socket, "ping".getBytes())).isTrue();
        }
    }

    @Test
    void wrongTokenMakesTheAgentExitWithCodeThreeAndLeavesTheServerServing() throws Exception {
        Agent impostor = new Agent(TestAgents.settings(server.agentPort(), "demo.wrong-secret", Duration.ofSeconds(1)));
        assertThat(impostor.start().get(20, TimeUnit.SECONDS)).isEqualTo(ExitCode.AUTH_REFUSED);
        Agent stranger = new Agent(TestAgents.settings(server.agentPort(), "ghost.any", Duration.ofSeconds(1)));
        assertThat(stranger.start().get(20, TimeUnit.SECONDS)).isEqualTo(ExitCode.AUTH_REFUSED);

        assertThat(Visitor.exchange(echoPort, "still here".getBytes())).isEqualTo("still here".getBytes());
        assertThat(agent.metrics().sessions()).as("the real agent was not disturbed").isEqualTo(1);
        String metrics = server.get("/actuator/prometheus").body();
        assertThat(metrics).containsPattern("tunnel_logins_refused_total\\{reason=\"auth_failed\"[^}]*} [2-9]");
    }

    @Test
    void metricsShowTheSessionAndTheRelayedTraffic() throws Exception {
        Visitor.exchange(echoPort, new byte[4096]);
        String metrics = server.get("/actuator/prometheus").body();
        assertThat(metrics).contains("tunnel_sessions_active");
        assertThat(metrics).containsPattern("tunnel_sessions_active\\S* 1\\.0");
        assertThat(metrics).containsPattern(
                "tunnel_proxy_bytes_sum\\{direction=\"in\",proxy=\"echo\",type=\"tcp\"} [1-9][0-9.E]*");
    }

    @Test
    void manyLocalResetsInTheMiddleOfUploadsDoNotEndTheSession() throws Exception {
        // Each reset leaves up to a stream window of DATA in flight, answered frame by frame with RST_STREAM:
        // hundreds of RSTs, which HTTP/2 rapid-reset protection would punish by killing every proxy of the agent.
        int before = resetter.accepted();
        uploadToTheResetter(60, 4 << 20, 16);
        assertThat(resetter.accepted() - before).isEqualTo(60);
        assertThat(Visitor.exchange(echoPort, "alive".getBytes())).isEqualTo("alive".getBytes());
        assertThat(agent.metrics().sessions()).as("the agent never had to reconnect").isEqualTo(1);
        assertThat(agent.metrics().disconnects()).isEmpty();
    }

    @Test
    void everyLocalDialSucceedsWhileOtherLocalConnectionsAreReset() throws Exception {
        // Regression for epoll (ADR 0002): the agent's loops close reset local connections and dial new ones all
        // the time. A dial made inside the loop's batch of ready sockets could reuse a just-closed descriptor and
        // receive its stale events, failing the dial. Every upload must reach the service.
        int before = resetter.accepted();
        uploadToTheResetter(300, 1 << 20, 24);
        assertThat(resetter.accepted() - before).as("uploads that reached the local service").isEqualTo(300);
        assertThat(agent.metrics().sessions()).as("the agent never had to reconnect").isEqualTo(1);
    }

    /** {@code count} uploads of {@code size} bytes, {@code parallel} at a time, each reset by the local service. */
    private static void uploadToTheResetter(int count, int size, int parallel) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        try {
            List<CompletableFuture<?>> uploads = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                uploads.add(CompletableFuture.runAsync(() -> {
                    try {
                        Visitor.exchange(resetterPort, new byte[size]);
                    } catch (IOException expected) {
                        // the local service reset the upload; the visitor sees a reset too
                    }
                }, pool));
            }
            CompletableFuture.allOf(uploads.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aVisitorThatStopsReadingIsBackpressuredToTheServiceWhileOtherStreamsFlow() throws Exception {
        try (Socket stalled = Visitor.connect(sourcePort)) {
            // The visitor reads nothing. The service must soon be unable to write more: the stream window, the
            // relays' watermarks and the sockets' buffers are all bounded, so nothing buffers without limit.
            long[] last = {-1};
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
                long now = source.written();
                boolean stable = now > 0 && now == last[0];
                last[0] = now;
                return stable;
            });
            assertThat(source.written()).as("bytes accepted from the service while nobody reads")
                    .isLessThan(48L << 20);
            // The stalled stream holds only its own window: other connections and the control stream still flow.
            assertThat(Visitor.exchange(echoPort, new byte[256 * 1024])).hasSize(256 * 1024);
            assertThat(agent.metrics().sessions()).isEqualTo(1);
            // And the stalled one resumes when its reader does.
            byte[] chunk = stalled.getInputStream().readNBytes(8 << 20);
            assertThat(chunk).hasSize(8 << 20);
        }
    }
}
