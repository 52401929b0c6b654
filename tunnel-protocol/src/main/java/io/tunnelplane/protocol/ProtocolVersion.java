package io.tunnelplane.protocol;

/** The wire protocol version; both sides refuse a login whose version they do not speak. */
public final class ProtocolVersion {
    /**
     * 3: a proxy carries a flags byte (PROXY protocol, TLS to the local service). 2: the login names the connection
     * of the agent's set and the set's size.
     */
    public static final int CURRENT = 3;

    private ProtocolVersion() {
    }
}
