package io.tunnelplane.server.support;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;

/** A local UDP service that answers every datagram with itself, to its sender, until closed. */
public final class UdpEcho implements AutoCloseable {
    private final DatagramSocket socket;

    public UdpEcho() throws SocketException {
        socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        socket.setReceiveBufferSize(4 << 20);
        Thread echo = new Thread(this::echo, "udp-echo");
        echo.setDaemon(true);
        echo.start();
    }

    public int port() {
        return socket.getLocalPort();
    }

    private void echo() {
        byte[] buffer = new byte[65_535];
        try {
            while (!socket.isClosed()) {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                socket.receive(packet);
                socket.send(new DatagramPacket(packet.getData(), packet.getLength(), packet.getSocketAddress()));
            }
        } catch (IOException closed) {
            // closed: the test is over
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
