package io.tunnelplane.server.bandwidth;

import static io.tunnelplane.server.support.Json.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tunnelplane.agent.Agent;
import io.tunnelplane.server.support.FreePorts;
import io.tunnelplane.server.support.LocalService;
import io.tunnelplane.server.support.TestAgents;
import io.tunnelplane.server.support.TestServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Bandwidth limits through the running server and a real agent: a proxy limited to 1 MB/s takes at least the time
 * its limit implies, each way, while an unlimited proxy of the same session moves the same amount alongside at full
 * speed; a client's limit binds all its proxies; lifting a limit (0) frees the proxy. Durations here are the
 * feature's behaviour (a lower bound the limit guarantees, with a hundredfold margin to the unlimited proxy), not
 * a measurement of speed: docs/benchmarks.md has the iperf3 figures.
 */
class BandwidthLimitIT {
    private static final long LIMIT = 1_000_000;
    private static final int SIZE = 3_000_000;

    @Test
    void aLimitedProxyIsPacedEachWayWhileItsSiblingRunsFree() throws Exception {
        try (LocalService digest = new LocalService(LocalService.Mode.DIGEST);
                LocalService source = new LocalService(LocalService.Mode.SOURCE);
                TestServer server = TestServer.start(TestServer.defaults())) {
            JsonNode client = body(201, server.send("POST", "/api/v1/clients", "{\"name\":\"metered\"}"));
            long clientId = client.get("id").asLong();
            int slowPort = FreePorts.inRange(10000, 20000);
            int fastPort = FreePorts.inRange(10000, 20000);
            int downloadPort = FreePorts.inRange(10000, 20000);
            long slow = proxy(server, clientId, "slow", digest.port(), slowPort, LIMIT);
            proxy(server, clientId, "fast", digest.port(), fastPort, 0);
            proxy(server, clientId, "download", source.port(), downloadPort, LIMIT);
            assertThat(body(200, server.get("/api/v1/proxies/" + slow)).get("bandwidthLimit").asLong())
                    .isEqualTo(LIMIT);
            Agent agent = TestAgents.start(server.agentPort(), client.get("token").asString(), Duration.ofSeconds(1));
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> server.get("/api/v1/clients/" + clientId
                        + "/proxies").body().split("\"state\":\"listening\"", -1).length == 4);

                CompletableFuture<Long> limited = CompletableFuture.supplyAsync(() -> upload(slowPort, SIZE));
                long free = upload(fastPort, SIZE);
                long paced = limited.join();
                // The limit's own burst (100 kB) and the first read pass at once; the rest takes its time.
                assertThat(paced).as("3 MB at 1 MB/s, ms").isGreaterThanOrEqualTo(2_500);
                assertThat(free).as("the sibling proxy alongside, ms").isLessThan(paced / 2);

                assertThat(download(downloadPort, 2_000_000)).as("2 MB to the visitor at 1 MB/s, ms")
                        .isGreaterThanOrEqualTo(1_500);

                // Lifted on the proxy, set on the client: now every proxy of the client shares 1 MB/s.
                body(200, server.send("PATCH", "/api/v1/proxies/" + slow, "{\"bandwidthLimit\":0}"));
                assertThat(upload(slowPort, SIZE)).as("lifted, ms").isLessThan(1_000);
                JsonNode limitedClient = body(200, server.send("PATCH", "/api/v1/clients/" + clientId,
                        "{\"bandwidthLimit\":" + LIMIT + "}"));
                assertThat(limitedClient.get("bandwidthLimit").asLong()).isEqualTo(LIMIT);
                assertThat(upload(fastPort, 2_000_000)).as("the client's limit on the unlimited proxy, ms")
                        .isGreaterThanOrEqualTo(1_500);
            } finally {
                agent.stop();
            }
        }
    }

    private static long proxy(TestServer server, long clientId, String name, int localPort, int remotePort,
            long limit) throws Exception {
        return body(201, server.send("POST", "/api/v1/clients/" + clientId + "/proxies", "{\"name\":\"" + name
                + "\",\"type\":\"tcp\",\"localHost\":\"127.0.0.1\",\"localPort\":" + localPort + ",\"remotePort\":"
                + remotePort + (limit > 0 ? ",\"bandwidthLimit\":" + limit : "") + "}")).get("id").asLong();
    }

    /** Sends {@code size} bytes and waits for the service's digest of them; the milliseconds it took. */
    private static long upload(int port, int size) {
        long start = System.nanoTime();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            byte[] chunk = new byte[64 * 1024];
            for (int sent = 0; sent < size; sent += chunk.length) {
                out.write(chunk, 0, Math.min(chunk.length, size - sent));
            }
            socket.shutdownOutput();
            assertThat(socket.getInputStream().readAllBytes()).as("the digest").hasSize(64);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** Reads {@code size} bytes the service sends; the milliseconds it took. */
    private static long download(int port, int size) throws Exception {
        long start = System.nanoTime();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            InputStream in = socket.getInputStream();
            assertThat(in.readNBytes(size)).hasSize(size);
        }
        return (System.nanoTime() - start) / 1_000_000;
    }
}
