package io.tunnelplane.server.udp;

import static io.tunnelplane.server.support.Json.body;
import static org.assertj.core.api.Assertions.assertThat;

import io.tunnelplane.agent.Agent;
import io.tunnelplane.server.support.FreePorts;
import io.tunnelplane.server.support.TestAgents;
import io.tunnelplane.server.support.TestServer;
import io.tunnelplane.server.support.UdpEcho;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** A public UDP port relayed datagram by datagram, with per-sender flows and loss accounted. */
class UdpProxyIT {
    private static final int DATAGRAMS_PER_SOURCE = 5_000;
    private static final int WINDOW = 16;

    @Test
    void tenThousandMixedDatagramsFromTwoSendersComeBackToTheirOwnSender() throws Exception {
        int publicPort = FreePorts.inRange(10000, 20000);
        ExecutorService threads = Executors.newCachedThreadPool();
        try (UdpEcho echo = new UdpEcho(); TestServer server = TestServer.start(TestServer.defaults())) {
            JsonNode client = body(201, server.send("POST", "/api/v1/clients", "{\"name\":\"dns\"}"));
            body(201, server.send("POST", "/api/v1/clients/" + client.get("id").asLong() + "/proxies",
                    "{\"name\":\"echo\",\"type\":\"udp\",\"localHost\":\"127.0.0.1\",\"localPort\":"
                            + echo.port() + ",\"remotePort\":" + publicPort + "}"));
            // TCP and UDP are separate port spaces (iperf3 -u, DNS, QUIC use both); two UDP proxies on one are not.
            body(201, server.send("POST", "/api/v1/clients/" + client.get("id").asLong() + "/proxies",
                    "{\"name\":\"control\",\"type\":\"tcp\",\"localHost\":\"127.0.0.1\",\"localPort\":"
                            + echo.port() + ",\"remotePort\":" + publicPort + "}"));
            assertThat(body(409, server.send("POST", "/api/v1/clients/" + client.get("id").asLong() + "/proxies",
                    "{\"name\":\"twin\",\"type\":\"udp\",\"localHost\":\"127.0.0.1\",\"localPort\":"
                            + echo.port() + ",\"remotePort\":" + publicPort + "}")).get("detail").asString())
                    .contains("udp port " + publicPort + " is already used by proxy dns/echo");
            Agent agent = TestAgents.start(server.agentPort(), client.get("token").asString(), Duration.ofSeconds(1));
            try {
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                        server.get("/api/v1/clients/" + client.get("id").asLong() + "/proxies").body()
                                .split("\"state\":\"listening\"", -1).length == 3);
                long t0 = System.nanoTime();
                Future<long[]> first = threads.submit(() -> exchange(publicPort, (byte) 1));
                Future<long[]> second = threads.submit(() -> exchange(publicPort, (byte) 2));
                long[] a = first.get();
                long[] b = second.get();
                System.out.printf("udp: %d ms; ", (System.nanoTime() - t0) / 1_000_000);
                System.out.printf("udp: sender 1 sent %d got %d lost %d; sender 2 sent %d got %d lost %d%n",
                        a[0], a[1], a[0] - a[1], b[0], b[1], b[0] - b[1]);
                assertThat(a[0] + b[0]).isEqualTo(2L * DATAGRAMS_PER_SOURCE);
                assertThat(a[1]).as("loss on loopback").isEqualTo(a[0]);
                assertThat(b[1]).as("loss on loopback").isEqualTo(b[0]);
                assertThat(server.get("/actuator/prometheus").body())
                        .doesNotContainPattern("tunnel_udp_datagrams_dropped_total\\{proxy=\"echo\"} [1-9]");
            } finally {
                agent.stop();
                threads.shutdownNow();
            }
        }
    }

    /** Sends mixed-size datagrams with at most WINDOW unanswered; every answer must be our own, intact. */
    private static long[] exchange(int port, byte source) throws Exception {
        Random random = new Random(source);
        long sent = 0;
        long received = 0;
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            socket.setSoTimeout(2_000);
            socket.setReceiveBufferSize(4 << 20);
            InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            byte[][] expected = new byte[DATAGRAMS_PER_SOURCE][];
            byte[] buffer = new byte[65_535];
            while (received < DATAGRAMS_PER_SOURCE) {
                while (sent < DATAGRAMS_PER_SOURCE && sent - received < WINDOW) {
                    int kind = random.nextInt(100); // mostly MTU-sized, some large, a few spanning DATA frames
                    int size = 5 + random.nextInt(kind == 0 ? 60_000 : kind < 10 ? 8_000 : 1_400);
                    byte[] payload = new byte[size];
                    random.nextBytes(payload);
                    payload[0] = source;
                    ByteBuffer.wrap(payload, 1, 4).putInt((int) sent);
                    expected[(int) sent] = payload;
                    socket.send(new DatagramPacket(payload, payload.length, target));
                    sent++;
                }
                DatagramPacket reply = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(reply);
                } catch (SocketTimeoutException lost) {
                    break; // whatever is missing now is lost: counted, not waited for
                }
                byte[] got = Arrays.copyOf(reply.getData(), reply.getLength());
                assertThat(got[0]).as("a reply for the other sender").isEqualTo(source);
                int sequence = ByteBuffer.wrap(got, 1, 4).getInt();
                assertThat(Arrays.equals(got, expected[sequence])).as("datagram %d intact: %d bytes, sent %d",
                        sequence, got.length, expected[sequence].length).isTrue();
                received++;
            }
        }
        return new long[] {sent, received};
    }
}
