package io.tunnelplane.server.keepalive;

import static io.tunnelplane.server.support.Json.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tunnelplane.agent.Agent;
import io.tunnelplane.protocol.pause.PauseWatchdog;
import io.tunnelplane.server.metrics.DiagnosedPatterns;
import io.tunnelplane.server.support.FaultyLink;
import io.tunnelplane.server.support.FreePorts;
import io.tunnelplane.server.support.LocalService;
import io.tunnelplane.server.support.TestAgents;
import io.tunnelplane.server.support.TestServer;
import io.tunnelplane.server.support.Visitor;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * One fault of the diagnosis table per test (docs/keepalive.md), each through a fault-injecting link between a real
 * agent and the server: the causes recorded for the sessions it ends, and the pattern the client's diagnosis names.
 * Pauses of the server and of the agent need processes of their own: {@code StalledServerIT}, {@code FrozenAgentIT}.
 */
class DropDiagnosisIT {
    private static LocalService echo;
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        echo = new LocalService(LocalService.Mode.ECHO);
        Map<String, Object> props = TestServer.defaults();
        props.put("tunnel.server.keepalive.min-time", "100ms"); // the agents here ask for second-scale probing
        server = TestServer.start(props);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        echo.close();
    }

    @Test
    void anIdleTunnelBehindANatThatForgetsIdleMappingsIsAMiddleboxIdleTimeoutWithItsLimitBracketed()
            throws Exception {
        Client client = client("nat-idle");
        try (FaultyLink nat = new FaultyLink(server.agentPort())) {
            nat.expireIdle(Duration.ofMillis(1_500));
            // Probing every 3 s, above the NAT's 1.5 s: each idle session loses its mapping and dies the same way.
            Agent agent = agent(nat, client, Duration.ofSeconds(3), Duration.ofSeconds(1));
            try {
                List<JsonNode> drops = awaitEvents(client, 3, Duration.ofSeconds(40));
                assertThat(drops).allSatisfy(e -> {
                    assertThat(e.get("cause").asString()).isEqualTo("keepalive_timeout");
                    assertThat(e.get("silenceMs").asLong()).isGreaterThanOrEqualTo(3_000);
                });
                JsonNode diagnosis = diagnosis(client);
                assertThat(diagnosis.get("pattern").asString()).as(diagnosis.toString())
                        .isEqualTo("middlebox_idle_timeout");
                assertThat(diagnosis.at("/idleLimit/belowMs").asLong()).isEqualTo(3_000);
                assertThat(diagnosis.get("recommendation").asString()).contains("keepalive.time");
            } finally {
                agent.stop();
            }
            // The recommendation followed: probing every second keeps the mapping, and the session lives on.
            Agent fixed = agent(nat, client, Duration.ofSeconds(1), Duration.ofSeconds(1));
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> fixed.metrics().isConnected());
                long sessions = fixed.metrics().sessions();
                // Ten probe intervals and more behind the NAT (scenario time): long enough to count as evidence.
                await().pollDelay(Duration.ofSeconds(11)).atMost(Duration.ofSeconds(12))
                        .until(() -> fixed.metrics().isConnected());
                assertThat(fixed.metrics().disconnects()).as("no drop with probes inside the idle limit").isEmpty();
                assertThat(fixed.metrics().sessions()).isEqualTo(sessions);
            } finally {
                fixed.stop();
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    diagnosis(client).at("/idleLimit/aboveMs").asLong()).isEqualTo(1_000));
            JsonNode bracketed = diagnosis(client);
            assertThat(bracketed.get("pattern").asString()).isEqualTo("middlebox_idle_timeout");
            assertThat(bracketed.get("summary").asString()).contains("between 1.0 s and 3.0 s");
        }
    }

    @Test
    void aMiddleboxThatResetsEveryConnectionAtOneAgeIsASessionLifetimeCap() throws Exception {
        Client client = client("lifetime-cap");
        try (FaultyLink balancer = new FaultyLink(server.agentPort())) {
            balancer.capLifetime(Duration.ofSeconds(4));
            Agent agent = agent(balancer, client, Duration.ofSeconds(1), Duration.ofSeconds(2));
            try {
                List<JsonNode> drops = awaitEvents(client, 3, Duration.ofSeconds(40));
                assertThat(drops).allSatisfy(e -> {
                    assertThat(e.get("cause").asString()).isIn("peer_reset", "peer_closed");
                    assertThat(e.get("durationMs").asLong()).isBetween(3_000L, 4_100L);
                });
                JsonNode diagnosis = diagnosis(client);
                assertThat(diagnosis.get("pattern").asString()).as(diagnosis.toString())
                        .isEqualTo("session_lifetime_cap");
                assertThat(diagnosis.get("summary").asString()).contains("4 s after they start");
                // The dashboard's panel of drops by pattern counts this client under its pattern.
                server.bean(DiagnosedPatterns.class).refresh();
                assertThat(server.get("/actuator/prometheus").body())
                        .containsPattern("tunnel_diagnosis_clients\\{pattern=\"session_lifetime_cap\"} [1-9]");
            } finally {
                agent.stop();
            }
        }
    }

    @Test
    void dropsAtRandomAgesWhileTheRoundTripKeepsGrowingAreALossyLink() throws Exception {
        Client client = client("lossy");
        try (FaultyLink path = new FaultyLink(server.agentPort())) {
            Agent agent = agent(path, client, Duration.ofMillis(500), Duration.ofSeconds(1));
            try {
                // The path degrades: each session sees a longer delay, lives a different time, then loses everything.
                long[] delays = {5, 60, 200};
                long[] ages = {2_000, 5_000, 3_200};
                for (int i = 0; i < delays.length; i++) {
                    path.delay(Duration.ofMillis(delays[i]));
                    awaitSession(agent, i + 1);
                    long rttAtLeast = 2 * delays[i] * 1_000;
                    // The session lives its age (scenario time), and the server has sampled the delayed round trip.
                    await().pollDelay(Duration.ofMillis(ages[i])).atMost(Duration.ofSeconds(10)).until(() ->
                            body(200, server.get("/api/v1/clients/" + client.id())).at("/live/lastRttMicros")
                                    .asLong() >= rttAtLeast);
                    path.blackhole();
                }
                List<JsonNode> drops = awaitEvents(client, 3, Duration.ofSeconds(20));
                assertThat(drops).allSatisfy(e -> assertThat(e.get("cause").asString()).isEqualTo("keepalive_timeout"));
                JsonNode diagnosis = diagnosis(client);
                assertThat(diagnosis.get("pattern").asString()).as(diagnosis.toString()).isEqualTo("lossy_link");
                assertThat(diagnosis.toString()).contains("last RTTs, oldest to newest");
            } finally {
                agent.stop();
            }
        }
    }

    @Test
    void shortSessionsWithUnreachableSpellsBetweenThemAreAFlappingLink() throws Exception {
        Client client = client("flapping");
        try (FaultyLink link = new FaultyLink(server.agentPort())) {
            Agent agent = agent(link, client, Duration.ofMillis(500), Duration.ofSeconds(1));
            try {
                long[] upMillis = {1_500, 3_000, 2_000};
                for (int i = 0; i < upMillis.length; i++) {
                    awaitSession(agent, i + 1);
                    // The link stays up this long (scenario time, not synchronisation).
                    await().pollDelay(Duration.ofMillis(upMillis[i])).until(() -> true);
                    // Down: the connection is cut and nothing gets through until the link is back.
                    link.refuseNew(true);
                    link.reset();
                    long failedBefore = agent.metrics().failedAttempts();
                    await().atMost(Duration.ofSeconds(10))
                            .until(() -> agent.metrics().failedAttempts() >= failedBefore + 2);
                    link.refuseNew(false);
                }
                List<JsonNode> drops = awaitEvents(client, 3, Duration.ofSeconds(20));
                assertThat(drops).allSatisfy(e -> assertThat(e.get("cause").asString()).isIn("peer_reset",
                        "peer_closed"));
                JsonNode diagnosis = diagnosis(client);
                assertThat(diagnosis.get("pattern").asString()).as(diagnosis.toString()).isEqualTo("flapping_link");
            } finally {
                agent.stop();
            }
        }
    }

    @Test
    void aSaturatedTransferIsNoFaultNoPauseAndItsRoundTripIsShown() throws Exception {
        Client client = client("saturated");
        int publicPort = FreePorts.inRange(10000, 20000);
        body(201, server.send("POST", "/api/v1/clients/" + client.id() + "/proxies", "{\"name\":\"echo\",\"type\":"
                + "\"tcp\",\"localHost\":\"127.0.0.1\",\"localPort\":" + echo.port() + ",\"remotePort\":"
                + publicPort + "}"));
        long pausesBefore = PauseWatchdog.shared().count();
        Agent agent = new Agent(TestAgents.settings(server.agentPort(), client.token(), Duration.ofSeconds(1))
                .withKeepalive(Duration.ofSeconds(1), Duration.ofSeconds(2)));
        agent.start();
        try {
            Visitor.awaitEcho(publicPort, Duration.ofSeconds(20));
            // As fast as loopback goes, both directions, two visitors: every core of this machine is busy.
            List<CompletableFuture<Long>> transfers = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                transfers.add(CompletableFuture.supplyAsync(() -> pump(publicPort, Duration.ofSeconds(8))));
            }
            // Meanwhile the diagnosis shows the busy session's round trip, sampled while data flows.
            await().atMost(Duration.ofSeconds(8)).untilAsserted(() -> assertThat(diagnosis(client).toString())
                    .containsPattern("live session [^:]+: last RTT \\d+ us, (no probe waiting"
                            + "|a probe waiting \\d+ ms for its answer), [12] visitor connections"));
            for (CompletableFuture<Long> transfer : transfers) {
                assertThat(transfer.join()).as("bytes echoed").isGreaterThan(10L << 20);
            }
            assertThat(PauseWatchdog.shared().count()).as("no pause noticed under load: " + PauseWatchdog.shared()
                    .recent()).isEqualTo(pausesBefore);
            assertThat(agent.metrics().disconnects()).isEmpty();
            assertThat(diagnosis(client).get("pattern").asString()).isEqualTo("none");
        } finally {
            agent.stop();
        }
    }

    /** Writes and reads through the tunnel for {@code duration}; returns the bytes that came back. */
    private static long pump(int port, Duration duration) {
        AtomicLong echoed = new AtomicLong();
        try (Socket visitor = Visitor.connect(port)) {
            visitor.setSoTimeout(0);
            OutputStream out = visitor.getOutputStream();
            InputStream in = visitor.getInputStream();
            CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
                byte[] buffer = new byte[64 * 1024];
                try {
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                        echoed.addAndGet(n);
                    }
                } catch (java.io.IOException closed) {
                    // closed below once the time is up
                }
            });
            byte[] chunk = new byte[64 * 1024];
            long end = System.nanoTime() + duration.toNanos();
            while (System.nanoTime() < end) {
                out.write(chunk);
            }
            visitor.shutdownOutput();
            reader.get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return echoed.get();
    }

    private record Client(long id, String token) {
    }

    private static Client client(String name) throws Exception {
        JsonNode created = body(201, server.send("POST", "/api/v1/clients", "{\"name\":\"" + name + "\"}"));
        return new Client(created.get("id").asLong(), created.get("token").asString());
    }

    private static Agent agent(FaultyLink link, Client client, Duration time, Duration timeout) {
        Agent agent = new Agent(TestAgents.settings(link.port(), client.token(), Duration.ofSeconds(1))
                .withKeepalive(time, timeout));
        agent.start();
        return agent;
    }

    /** Waits until the agent is connected in its {@code number}-th session. */
    private static void awaitSession(Agent agent, long number) {
        await().atMost(Duration.ofSeconds(15)).until(() -> agent.metrics().isConnected()
                && agent.metrics().sessions() == number);
    }

    private static JsonNode diagnosis(Client client) throws Exception {
        return body(200, server.get("/api/v1/clients/" + client.id() + "/diagnosis"));
    }

    /** Waits until the server has written {@code count} ended sessions of the client; returns them, newest first. */
    private static List<JsonNode> awaitEvents(Client client, int count, Duration atMost) {
        List<JsonNode> events = new ArrayList<>();
        await().atMost(atMost).untilAsserted(() -> {
            events.clear();
            body(200, server.get("/api/v1/clients/" + client.id() + "/events")).get("content").forEach(events::add);
            assertThat(events).hasSizeGreaterThanOrEqualTo(count);
        });
        return events;
    }
}
