package io.tunnelplane.agent;

import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.tunnelplane.protocol.tls.PinnedKeyTrustManager.ServerKeyMismatchException;
import java.nio.channels.ClosedChannelException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLException;

/** Turns a failed TLS handshake into the sentence an operator needs: what did not match, and what to do. */
final class TlsFailures {
    private TlsFailures() {
    }

    /**
     * The explanation, or null when {@code error} is not a TLS failure that retrying cannot fix. A handshake that
     * timed out or whose connection closed midway is a busy or restarting server (a reconnect storm), retried with
     * backoff like any failed connect; only what a retry would meet again stops the agent.
     */
    static String explain(Throwable error) {
        boolean tls = false;
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof SslHandshakeTimeoutException || t instanceof ClosedChannelException
                    || String.valueOf(t.getMessage()).contains("closed while SSL/TLS handshake")) {
                return null;
            }
            if (t instanceof ServerKeyMismatchException mismatch) {
                return "the server's TLS key does not match the pin in the token (expected " + mismatch.expected()
                        + ", got " + mismatch.actual() + "): either something intercepts the connection, or the "
                        + "server's key changed and this agent needs a new token";
            }
            if (t instanceof NotSslRecordException) {
                return "the server does not speak TLS on this port: if it runs with tunnel.server.tls.enabled=false, "
                        + "start the agent with --insecure (payloads then cross the network in clear)";
            }
            if (t instanceof CertificateException) {
                return "the server's certificate is not trusted (" + t.getMessage() + "): pass its key pin "
                        + "(--server-pin, or a token issued by the API) or its CA (--server-ca)";
            }
            tls |= t instanceof SSLException;
        }
        return tls ? "TLS handshake failed: " + error.getMessage() : null;
    }
}
