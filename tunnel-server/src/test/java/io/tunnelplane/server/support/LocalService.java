package io.tunnelplane.server.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real TCP service on loopback standing in for the service behind the agent. {@link Mode#ECHO} copies bytes back
 * as they arrive and half-closes after the peer's FIN; {@link Mode#DIGEST} answers only after the peer's FIN with
 * the SHA-256 of everything it read, which proves a half-closed visitor still gets its response;
 * {@link Mode#RESET_AFTER_FIRST_READ} resets the connection in the middle of an upload, like a crashing handler;
 * {@link Mode#SOURCE} writes without end and counts what the network accepted (for backpressure tests).
 */
public final class LocalService implements AutoCloseable {
    public enum Mode { ECHO, DIGEST, RESET_AFTER_FIRST_READ, SOURCE }

    private final Mode mode;
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "local-service");
        t.setDaemon(true);
        return t;
    });
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger resets = new AtomicInteger();
    private final AtomicInteger accepted = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();

    public LocalService(Mode mode) throws IOException {
        this.mode = mode;
        this.server = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Connections that ended with a reset from the tunnel side. */
    public int resets() {
        return resets.get();
    }

    public int accepted() {
        return accepted.get();
    }

    /** Bytes a {@link Mode#SOURCE} service managed to write so far. */
    public long written() {
        return written.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                accepted.incrementAndGet();
                open.add(socket);
                threads.execute(() -> serve(socket));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            if (mode == Mode.SOURCE) {
                while (true) {
                    out.write(buffer);
                    written.addAndGet(buffer.length);
                }
            }
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (mode == Mode.RESET_AFTER_FIRST_READ) {
                    socket.setSoLinger(true, 0);
                    return;
                }
                if (mode == Mode.ECHO) {
                    out.write(buffer, 0, n);
                } else {
                    sha.update(buffer, 0, n);
                }
            }
            if (mode == Mode.DIGEST) {
                out.write(HexFormat.of().formatHex(sha.digest()).getBytes());
            }
            out.flush();
            socket.shutdownOutput();
        } catch (SocketException e) {
            if (String.valueOf(e.getMessage()).contains("reset")) {
                resets.incrementAndGet();
            }
        } catch (Exception e) {
            // the test that killed the service expects this
        } finally {
            open.remove(socket);
        }
    }

    /** Kills the service like a crashed process: listener and every connection closed at once. */
    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : open) {
            socket.close();
        }
        threads.shutdownNow();
    }
}
