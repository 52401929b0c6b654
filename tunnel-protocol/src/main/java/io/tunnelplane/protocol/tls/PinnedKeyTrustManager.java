package io.tunnelplane.protocol.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts exactly one server key, whatever signed its certificate and whatever name it carries: the agent learned
 * the pin from its token, out of band, so neither a CA nor DNS has a say. Refuses every client certificate.
 */
public final class PinnedKeyTrustManager extends X509ExtendedTrustManager {
    private final String pin;

    public PinnedKeyTrustManager(String pin) {
        if (!KeyPin.isValid(pin)) {
            throw new IllegalArgumentException("a key pin is 43 characters of base64url");
        }
        this.pin = pin;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("the server sent no certificate");
        }
        String actual = KeyPin.of(chain[0]);
        if (!KeyPin.matches(pin, actual)) {
            throw new ServerKeyMismatchException(pin, actual);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("this trust manager only verifies servers");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }

    /** The server presented another key than the pinned one: an interception, or the server's key changed. */
    public static final class ServerKeyMismatchException extends CertificateException {
        private final String expected;
        private final String actual;

        ServerKeyMismatchException(String expected, String actual) {
            super("the server's key does not match the pinned key: expected " + expected + ", got " + actual);
            this.expected = expected;
            this.actual = actual;
        }

        public String expected() {
            return expected;
        }

        public String actual() {
            return actual;
        }
    }
}
