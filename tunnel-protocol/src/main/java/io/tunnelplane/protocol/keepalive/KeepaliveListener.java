package io.tunnelplane.protocol.keepalive;

import io.tunnelplane.protocol.DisconnectCause;

/** Receives the keepalive driver's findings, on the session's event loop. */
public interface KeepaliveListener {
    /** A probe was answered after {@code rttNanos}. */
    void onRtt(long rttNanos);

    /** The session must end with {@code cause} ({@code keepalive_timeout} or {@code write_stall}). */
    void onDead(DisconnectCause cause);
}
