package io.tunnelplane.server.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP relay that plays a bad network path between agent and server, for the keepalive tests:
 * <ul>
 *   <li>{@link #throttle(long, int)}: each direction drains at a fixed rate behind a deep buffer (a bufferbloated
 *       uplink: the sender's bytes are accepted at once and delivered late);</li>
 *   <li>{@link #blackhole()}: the current connections go silent in both directions without a FIN or RST, like a
 *       NAT box that forgot the mapping; new connections still pass;</li>
 *   <li>{@link #reset()}: the current connections are reset;</li>
 *   <li>{@link #expireIdle(Duration)}: a connection that carried nothing for that long goes silent for good, like a
 *       NAT gateway that forgets idle mappings;</li>
 *   <li>{@link #capLifetime(Duration)}: a connection is reset at that age whatever it carries, like a load balancer
 *       or firewall with a fixed session lifetime;</li>
 *   <li>{@link #delay(Duration)}: every byte is delivered that much later in each direction (a long or degrading
 *       path: the round trip grows by twice the delay).</li>
 * </ul>
 */
public final class FaultyLink implements AutoCloseable {
    private final ServerSocket listener;
    private final int targetPort;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "faulty-link");
        t.setDaemon(true);
        return t;
    });
    private final List<Pipe> pipes = new CopyOnWriteArrayList<>();
    private volatile long bytesPerSecond;
    private volatile boolean refuseNew;
    private volatile int bufferBytes = 1 << 20;
    private volatile long idleExpiryNanos;
    private volatile long lifetimeNanos;
    private volatile long delayNanos;
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "faulty-link-timer");
        t.setDaemon(true);
        return t;
    });

    private final java.io.ByteArrayOutputStream tapped = new java.io.ByteArrayOutputStream();
    private volatile boolean tapping;

    public FaultyLink(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::accept);
        timers.scheduleAtFixedRate(this::enforceTimers, 20, 20, TimeUnit.MILLISECONDS);
    }

    /** From now on, a connection with no byte in either direction for {@code idle} is blackholed. */
    public void expireIdle(Duration idle) {
        idleExpiryNanos = idle.toNanos();
    }

    /** From now on, a connection is reset once it is {@code age} old. */
    public void capLifetime(Duration age) {
        lifetimeNanos = age.toNanos();
    }

    /** From now on, every chunk is delivered {@code oneWay} after it arrived, in each direction. */
    public void delay(Duration oneWay) {
        delayNanos = oneWay.toNanos();
    }

    private void enforceTimers() {
        long now = System.nanoTime();
        for (Pipe pipe : pipes) {
            if (lifetimeNanos > 0 && now - pipe.createdNanos >= lifetimeNanos) {
                pipe.resetBoth();
            } else if (idleExpiryNanos > 0 && !pipe.blackholed && now - pipe.lastActivityNanos >= idleExpiryNanos) {
                pipe.blackholed = true;
            }
        }
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** From now on, every direction of every connection delivers at most {@code bytesPerSecond}. */
    public void throttle(long bytesPerSecond, int bufferBytes) {
        this.bufferBytes = bufferBytes;
        this.bytesPerSecond = bytesPerSecond;
    }

    /** From now on, records every byte relayed in either direction, as a passive wiretap would. */
    public void tap() {
        tapping = true;
    }

    /** What the tap recorded so far. */
    public byte[] tapped() {
        synchronized (tapped) {
            return tapped.toByteArray();
        }
    }

    /** While set, new connections are closed as soon as they arrive (the path is down for newcomers too). */
    public void refuseNew(boolean refuse) {
        this.refuseNew = refuse;
    }

    public void blackhole() {
        pipes.forEach(pipe -> pipe.blackholed = true);
    }

    /** Blackholes the oldest connection only; the others, and new ones, keep flowing. */
    public void blackholeOldest() {
        pipes.stream().filter(pipe -> !pipe.blackholed).findFirst().ifPresent(pipe -> pipe.blackholed = true);
    }

    public void reset() {
        for (Pipe pipe : pipes) {
            pipe.resetBoth();
        }
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket from = listener.accept();
                if (refuseNew) {
                    from.close();
                    continue;
                }
                Socket to = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                from.setTcpNoDelay(true);
                to.setTcpNoDelay(true);
                Pipe pipe = new Pipe(from, to);
                pipes.add(pipe);
                pipe.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        reset();
        timers.shutdownNow();
        threads.shutdownNow();
    }

    /** One relayed connection: two directions, each a reader thread feeding a paced writer thread. */
    private final class Pipe {
        private final Socket a;
        private final Socket b;
        private final long createdNanos = System.nanoTime();
        private volatile long lastActivityNanos = createdNanos;
        private volatile boolean blackholed;

        Pipe(Socket a, Socket b) {
            this.a = a;
            this.b = b;
        }

        void start() throws IOException {
            direction(a.getInputStream(), b.getOutputStream(), b);
            direction(b.getInputStream(), a.getOutputStream(), a);
        }

        private void direction(InputStream in, OutputStream out, Socket outSocket) {
            BlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
            Semaphore room = new Semaphore(bufferBytes); // bytes the deep buffer may still take
            threads.execute(() -> {
                byte[] buffer = new byte[16 * 1024];
                try {
                    int n;
                    while ((n = in.read(buffer)) >= 0) {
                        if (blackholed) {
                            continue; // swallowed without a trace
                        }
                        lastActivityNanos = System.nanoTime();
                        if (tapping) {
                            synchronized (tapped) {
                                tapped.write(buffer, 0, n);
                            }
                        }
                        room.acquire(n);
                        queue.put(new Chunk(java.util.Arrays.copyOf(buffer, n), System.nanoTime()));
                    }
                    if (!blackholed) {
                        // Pass the FIN on; a blackhole swallows it too.
                        queue.put(new Chunk(new byte[0], System.nanoTime()));
                    }
                } catch (IOException | InterruptedException e) {
                    if (!blackholed) {
                        resetBoth();
                    }
                }
            });
            threads.execute(() -> {
                try {
                    long sentSince = 0;
                    long start = System.nanoTime();
                    long pacedRate = 0;
                    while (true) {
                        Chunk arrived = queue.take();
                        byte[] chunk = arrived.bytes();
                        long late = arrived.receivedNanos() + delayNanos - System.nanoTime();
                        if (late > 0) {
                            LockSupport.parkNanos(late);
                        }
                        if (chunk.length == 0) {
                            outSocket.shutdownOutput();
                            return;
                        }
                        if (blackholed) {
                            room.release(chunk.length);
                            continue;
                        }
                        long rate = bytesPerSecond;
                        for (int offset = 0; offset < chunk.length; offset += 1024) {
                            int len = Math.min(1024, chunk.length - offset);
                            long now = System.nanoTime();
                            if (rate != pacedRate || start + sentSince * 1_000_000_000L / Math.max(rate, 1)
                                    < now - 50_000_000L) {
                                // New rate, or the link sat idle: no saved-up burst credit.
                                pacedRate = rate;
                                start = now;
                                sentSince = 0;
                            }
                            if (rate > 0) {
                                // Pace the simulated link: the n-th byte leaves no earlier than n / rate seconds.
                                sentSince += len;
                                long wait = start + sentSince * 1_000_000_000L / rate - now;
                                if (wait > 0) {
                                    LockSupport.parkNanos(wait);
                                }
                            }
                            out.write(chunk, offset, len);
                        }
                        out.flush();
                        room.release(chunk.length);
                    }
                } catch (IOException | InterruptedException e) {
                    resetBoth();
                }
            });
        }

        private record Chunk(byte[] bytes, long receivedNanos) {
        }

        void resetBoth() {
            for (Socket socket : new Socket[] {a, b}) {
                try {
                    socket.setSoLinger(true, 0);
                    socket.close();
                } catch (IOException ignored) {
                    // already closed
                }
            }
            pipes.remove(this);
        }
    }

}
