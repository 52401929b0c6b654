package io.tunnelplane.server.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tunnelplane.agent.Agent;
import io.tunnelplane.protocol.DisconnectCause;
import io.tunnelplane.server.support.FreePorts;
import io.tunnelplane.server.support.LocalService;
import io.tunnelplane.server.support.TestAgents;
import io.tunnelplane.server.support.TestServer;
import io.tunnelplane.server.support.Visitor;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Graceful shutdown: stop accepting, let in-flight connections finish within the drain time, tell the agent. */
class ShutdownDrainIT {
    private static final String TOKEN = "drain.secret";

    @Test
    void inFlightConnectionFinishesWhileNewOnesAreRefused() throws Exception {
        int publicPort = FreePorts.inRange(10000, 20000);
        int vhostPort = FreePorts.any();
        try (LocalService digest = new LocalService(LocalService.Mode.DIGEST)) {
            Map<String, Object> props = TestServer.defaults();
            props.put("tunnel.server.shutdown.drain", "20s");
            props.put("tunnel.server.vhost.http-port", vhostPort);
            props.put("tunnel.server.shutdown.lb-grace", "3s");
            TestServer.client(props, "drain", TOKEN);
            TestServer.proxy(props, 0, "digest", digest.port(), publicPort);
            TestServer server = TestServer.start(props);
            Agent agent = TestAgents.start(server.agentPort(), TOKEN, Duration.ofSeconds(30));
            try {
                await().atMost(Duration.ofSeconds(15)).ignoreExceptions().untilAsserted(() ->
                        assertThat(Visitor.exchange(publicPort, new byte[1])).hasSize(64));
                Visitor.connect(vhostPort).close();
                String ready = server.get("/actuator/health/readiness").body();
                assertThat(ready).contains("\"tunnel\":{\"status\":\"UP\"}").contains("\"db\":{\"status\":\"UP\"}");

                byte[] request = new byte[2 << 20];
                new Random(3).nextBytes(request);
                try (Socket inFlight = Visitor.connect(publicPort)) {
                    inFlight.getOutputStream().write(request, 0, 1 << 20);
                    CompletableFuture<Void> stopping = CompletableFuture.runAsync(server::close);

                    // Readiness goes down first, while every port still serves for the load balancer's grace...
                    await().atMost(Duration.ofSeconds(2)).until(() ->
                            server.get("/actuator/health/readiness").statusCode() == 503);
                    Visitor.connect(vhostPort).close();
                    assertThat(Visitor.exchange(publicPort, new byte[1])).hasSize(64);

                    // ...then it stops accepting: the public port and the virtual hosts' port refuse new visitors (a
                    // load balancer retries them on another node; accepted, they would find no route)...
                    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                            assertThatThrownBy(() -> Visitor.connect(publicPort).close()).isInstanceOf(IOException.class));
                    assertThatThrownBy(() -> Visitor.connect(vhostPort).close()).isInstanceOf(IOException.class);
                    assertThat(server.get("/actuator/health/readiness").statusCode()).isEqualTo(503);
                    // ...but the connection that was already relaying completes, response included.
                    inFlight.getOutputStream().write(request, 1 << 20, 1 << 20);
                    inFlight.shutdownOutput();
                    String digestHex = new String(Visitor.readAll(inFlight.getInputStream()), StandardCharsets.US_ASCII);
                    assertThat(digestHex).isEqualTo(Visitor.sha256(request));
                    stopping.get();
                }
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                        assertThat(agent.metrics().disconnects()).containsEntry(DisconnectCause.SERVER_SHUTDOWN, 1L));
            } finally {
                agent.stop();
            }
        }
    }
}
