package io.tunnelplane.protocol;

/** The peer sent something that does not follow the protocol; the session ends with {@code protocol_error}. */
public class ProtocolException extends RuntimeException {
    public ProtocolException(String message) {
        super(message);
    }
}
