package io.tunnelplane.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** Which TLS failures stop the agent (a retry would meet them again) and which are retried. */
class TlsFailuresTest {

    @Test
    void aBusyServerIsRetriedNotTakenForAnUntrustedOne() {
        assertThat(TlsFailures.explain(new SslHandshakeTimeoutException("handshake timed out after 10000ms")))
                .isNull();
        assertThat(TlsFailures.explain(new SSLHandshakeException(
                "Connection closed while SSL/TLS handshake was in progress"))).isNull();
        assertThat(TlsFailures.explain(new java.io.IOException("Connection reset by peer"))).isNull();
    }

    @Test
    void whatARetryWouldMeetAgainIsExplained() {
        assertThat(TlsFailures.explain(new NotSslRecordException("not an SSL/TLS record")))
                .contains("does not speak TLS").contains("--insecure");
        SSLHandshakeException untrusted = new SSLHandshakeException("bad certificate");
        untrusted.initCause(new CertificateException("unknown issuer"));
        assertThat(TlsFailures.explain(untrusted)).contains("not trusted").contains("--server-ca");
        assertThat(TlsFailures.explain(new SSLHandshakeException("no cipher suites in common")))
                .startsWith("TLS handshake failed");
    }
}
