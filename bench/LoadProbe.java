import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Benchmark helper, run as a single-file program ({@code java bench/LoadProbe.java MODE ...}):
 * <ul>
 *   <li>{@code echo-server PORT}: echoes every connection (thread per connection, TCP_NODELAY)</li>
 *   <li>{@code latency HOST PORT COUNT SIZE}: COUNT request/response round trips of SIZE bytes on one connection,
 *       prints p50/p99/max in microseconds after a warm-up</li>
 *   <li>{@code connect-rate HOST PORT SECONDS THREADS}: new connections per second, each doing a 1-byte echo</li>
 *   <li>{@code paced HOST PORT RATE SECONDS}: RATE 1 KiB request/response round trips per second for SECONDS, on 10
 *       connections (a steady load to measure memory under, not a throughput test)</li>
 * </ul>
 */
public class LoadProbe {
    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "echo-server" -> echoServer(Integer.parseInt(args[1]), false);
            case "split-echo-server" -> echoServer(Integer.parseInt(args[1]), true);
            case "latency" -> latency(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]));
            case "connect-rate" -> connectRate(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]));
            case "paced" -> paced(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]));
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    /** {@code split}: answer each read in two writes (a small head, then the rest), like many HTTP servers. */
    static void echoServer(int port, boolean split) throws Exception {
        try (ServerSocket server = new ServerSocket()) {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
            while (true) {
                Socket socket = server.accept();
                Thread t = new Thread(() -> {
                    try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
                        socket.setTcpNoDelay(true);
                        byte[] buffer = new byte[64 * 1024];
                        int n;
                        while ((n = in.read(buffer)) >= 0) {
                            int head = split ? Math.min(n, 100) : n;
                            out.write(buffer, 0, head);
                            if (head < n) {
                                out.write(buffer, head, n - head);
                            }
                        }
                    } catch (Exception ignored) {
                        // visitor went away
                    }
                });
                t.setDaemon(true);
                t.start();
            }
        }
    }

    static void latency(String host, int port, int count, int size) throws Exception {
        byte[] request = new byte[size];
        byte[] response = new byte[size];
        long[] samples = new long[count];
        try (Socket socket = new Socket(host, port)) {
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            for (int i = 0; i < count / 5; i++) { // warm-up
                out.write(request);
                in.readFully(response);
            }
            for (int i = 0; i < count; i++) {
                long start = System.nanoTime();
                out.write(request);
                in.readFully(response);
                samples[i] = System.nanoTime() - start;
            }
        }
        Arrays.sort(samples);
        System.out.printf("p50_us=%d p99_us=%d max_us=%d%n", samples[count / 2] / 1000,
                samples[(int) (count * 0.99)] / 1000, samples[count - 1] / 1000);
    }

    static void paced(String host, int port, int rate, int seconds) throws Exception {
        int connections = 10;
        long intervalNanos = 1_000_000_000L * connections / rate;
        AtomicLong done = new AtomicLong();
        Thread[] workers = new Thread[connections];
        for (int i = 0; i < connections; i++) {
            workers[i] = new Thread(() -> {
                byte[] message = new byte[1024];
                try (Socket socket = new Socket(host, port)) {
                    socket.setTcpNoDelay(true);
                    OutputStream out = socket.getOutputStream();
                    DataInputStream in = new DataInputStream(socket.getInputStream());
                    long next = System.nanoTime();
                    long end = next + seconds * 1_000_000_000L;
                    while (next < end) {
                        out.write(message);
                        in.readFully(message);
                        done.incrementAndGet();
                        next += intervalNanos;
                        long wait = next - System.nanoTime();
                        if (wait > 0) {
                            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            workers[i].start();
        }
        for (Thread worker : workers) {
            worker.join();
        }
        System.out.printf("requests_per_s=%d%n", done.get() / seconds);
    }

    static void connectRate(String host, int port, int seconds, int threads) throws Exception {
        AtomicLong done = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        Thread[] workers = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            workers[i] = new Thread(() -> {
                while (System.nanoTime() < deadline) {
                    try (Socket socket = new Socket(host, port)) {
                        socket.setTcpNoDelay(true);
                        socket.setSoTimeout(5000);
                        socket.getOutputStream().write(1);
                        if (socket.getInputStream().read() < 0) {
                            failed.incrementAndGet();
                        } else {
                            done.incrementAndGet();
                        }
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                }
            });
            workers[i].start();
        }
        for (Thread worker : workers) {
            worker.join();
        }
        System.out.printf("conn_per_s=%d failed=%d%n", done.get() / seconds, failed.get());
    }
}
