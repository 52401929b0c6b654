package io.tunnelplane.protocol;

/** The wire protocol version; both sides refuse a login whose version they do not speak. */
public final class ProtocolVersion {
    public static final int CURRENT = 1;

    private ProtocolVersion() {
    }
}
