package io.tunnelplane.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent port's PKCS#8 key and certificate, read by the JDK rather than through BouncyCastle's provider. */
class ServerIdentityTest {

    @Test
    void readsTheKeyAndCertificateItCreates(@TempDir Path dir) throws Exception {
        Path certificate = dir.resolve("agent-port.crt");
        Path key = dir.resolve("agent-port.key");
        SelfSignedCertificate.create(certificate, key, "node.test");

        assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(ServerIdentity.context(certificate, key, null).isServer()).isTrue();
    }

    @Test
    void aKeyOfAnotherCertificateIsRefusedNamingBothFiles(@TempDir Path dir) throws Exception {
        Path certificate = dir.resolve("a.crt");
        SelfSignedCertificate.create(certificate, dir.resolve("a.key"), "a.test");
        Path otherKey = dir.resolve("b.key");
        SelfSignedCertificate.create(dir.resolve("b.crt"), otherKey, "b.test");

        assertThatThrownBy(() -> ServerIdentity.context(certificate, otherKey, null))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(certificate.toString()).hasMessageContaining(otherKey.toString())
                .hasMessageContaining("is not the key of the chain's first certificate");
    }
}
