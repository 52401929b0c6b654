package io.tunnelplane.agent;

/** The agent's documented exit codes. */
public final class ExitCode {
    /** Stopped cleanly (SIGTERM, Ctrl-C). */
    public static final int OK = 0;
    /** Bad arguments or configuration, or a server that speaks another protocol version. */
    public static final int USAGE = 2;
    /** The server refused the token (or could not prove it knows it). */
    public static final int AUTH_REFUSED = 3;
    /**
     * The server could not be verified: its key does not match the pin in the token, its certificate is not
     * trusted, or it does not speak TLS. Possibly an interception; never retried blindly.
     */
    public static final int SERVER_UNTRUSTED = 4;

    private ExitCode() {
    }
}
