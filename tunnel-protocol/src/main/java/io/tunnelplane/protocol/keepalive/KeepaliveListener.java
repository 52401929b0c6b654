package io.tunnelplane.protocol.keepalive;

import io.tunnelplane.protocol.DisconnectCause;

/** Receives the keepalive driver's findings, on the session's event loop. */
public interface KeepaliveListener {
    /** A probe was answered after {@code rttNanos}. */
    void onRtt(long rttNanos);

    /** The session must end with {@code cause} ({@code keepalive_timeout} or {@code write_stall}). */
    void onDead(DisconnectCause cause);

    /** Our own side did not run for {@code stalledNanos}; the silence meanwhile was not held against the peer. */
    default void onOwnStall(long stalledNanos) {
    }
}
