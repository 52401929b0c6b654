package io.tunnelplane.protocol.mux;

/** Observes one relay: bytes moved per direction and how it ended. Called on the relay's event loop. */
public interface RelayListener {
    RelayListener NONE = new RelayListener() {
    };

    /** Bytes read from the TCP connection and sent into the stream. */
    default void fromTcp(int bytes) {
    }

    /** Bytes received from the stream and written to the TCP connection. */
    default void fromStream(int bytes) {
    }

    /**
     * How long to wait before reading the next bytes from the TCP connection ({@code fromTcp}) or from the stream:
     * a bandwidth limit paces a relay this way, by reading later (autoRead stays off, nothing is buffered).
     */
    default long readDelayNanos(boolean fromTcp) {
        return 0;
    }

    /**
     * The agent could not reach the local service ({@code status} as it answered). Return true to answer the
     * visitor yourself (e.g. an HTTP 502 page) and close its connection; false lets the relay reset it.
     */
    default boolean answerRefusal(String status) {
        return false;
    }

    /** The relay ended; {@code aborted} when it ended with a reset rather than both sides finishing. */
    default void closed(boolean aborted) {
    }
}
