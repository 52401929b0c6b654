package io.tunnelplane.protocol;

/** The wire protocol version; both sides refuse a login whose version they do not speak. */
public final class ProtocolVersion {
    /** 3: the login may carry the agent's own pause that ended its previous session. */
    public static final int CURRENT = 3;
    /**
     * The oldest version still spoken: 2, whose login names the connection of the agent's set and the set's size.
     * Servers accept agents from here up; agents speak the server's version when it is older than theirs.
     */
    public static final int OLDEST = 2;

    private ProtocolVersion() {
    }

    /** Whether a peer speaking {@code version} can be talked to. */
    public static boolean isSpoken(int version) {
        return version >= OLDEST && version <= CURRENT;
    }
}
