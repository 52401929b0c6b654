package io.tunnelplane.server.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** A plain public client of a proxy port, with a read timeout so that a hang fails the test instead of blocking. */
public final class Visitor {
    private static final ExecutorService WRITERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "visitor-writer");
        t.setDaemon(true);
        return t;
    });

    private Visitor() {
    }

    public static Socket connect(int port) throws IOException {
        return connect(InetAddress.getLoopbackAddress().getHostAddress(), port);
    }

    /** A visitor of one node's public address ({@code 127.0.0.2}, {@code 127.0.0.3}: all of 127/8 is local). */
    public static Socket connect(String host, int port) throws IOException {
        Socket socket = new Socket(host, port);
        socket.setSoTimeout(15_000);
        socket.setTcpNoDelay(true);
        return socket;
    }

    /** Reads until EOF. */
    public static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    /** Waits until an echo through {@code port} works (the agent is connected and the proxy listening). */
    public static void awaitEcho(int port, java.time.Duration atMost) {
        awaitEcho(InetAddress.getLoopbackAddress().getHostAddress(), port, atMost);
    }

    public static void awaitEcho(String host, int port, java.time.Duration atMost) {
        org.awaitility.Awaitility.await().atMost(atMost).pollInterval(java.time.Duration.ofMillis(100))
                .ignoreExceptions().untilAsserted(() -> org.assertj.core.api.Assertions
                        .assertThat(exchange(host, port, "ping".getBytes())).isEqualTo("ping".getBytes()));
    }

    /**
     * Sends {@code probe} and reports whether the peer then ended the connection without hanging. A reset that
     * arrives before or during the write is the same answer: the server may refuse before reading anything.
     */
    public static boolean turnedAwayAfterSending(Socket socket, byte[] probe) {
        try {
            socket.getOutputStream().write(probe);
        } catch (IOException resetBeforeWrite) {
            return true;
        }
        try {
            return endsWithoutHanging(socket.getInputStream());
        } catch (IOException alreadyClosed) {
            return true;
        }
    }

    /**
     * True when the peer ends the connection (EOF or reset) before sending a byte; false when a byte arrives or
     * nothing happens within 5 s (a hang). For visitors the server must turn away unanswered.
     */
    public static boolean refusedWithoutAByte(Socket socket) throws IOException {
        socket.setSoTimeout(5_000);
        try {
            return socket.getInputStream().read() == -1;
        } catch (java.net.SocketTimeoutException hang) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    /** True when the peer ended the connection (EOF or reset); false only if the read timed out: a hang. */
    public static boolean endsWithoutHanging(InputStream in) {
        try {
            while (in.read() >= 0) {
                // drain whatever was in flight
            }
            return true;
        } catch (java.net.SocketTimeoutException hang) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sends {@code payload}, half-closes, and returns everything the other side sent until its FIN. */
    public static byte[] exchange(int port, byte[] payload) throws IOException {
        return exchange(InetAddress.getLoopbackAddress().getHostAddress(), port, payload);
    }

    public static byte[] exchange(String host, int port, byte[] payload) throws IOException {
        try (Socket socket = connect(host, port)) {
            // Write on another thread: an echo answers while we send, and both directions must flow at once.
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    socket.getOutputStream().write(payload);
                    socket.shutdownOutput();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, WRITERS);
            byte[] received = readAll(socket.getInputStream());
            try {
                writer.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof UncheckedIOException io) {
                    throw io.getCause();
                }
                throw e;
            }
            return received;
        }
    }
}
