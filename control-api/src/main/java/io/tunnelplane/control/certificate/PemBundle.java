package io.tunnelplane.control.certificate;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * A certificate chain and its private key as PEM text (leaf first, then intermediates; the key as PKCS#8
 * {@code BEGIN PRIVATE KEY}), parsed and checked: the key belongs to the leaf, and whether the leaf covers a
 * domain (its DNS names, one-label wildcards included). Used for uploads and for what the ACME CA sends.
 */
public record PemBundle(List<X509Certificate> chain, PrivateKey key) {

    /** Parses both; {@link IllegalArgumentException} names which part is wrong and why. */
    public static PemBundle parse(String chainPem, String keyPem) {
        List<X509Certificate> chain = certificates(chainPem);
        PrivateKey key = privateKey(keyPem);
        if (!matches(key, chain.get(0))) {
            throw new IllegalArgumentException("privateKey: is not the key of the chain's first certificate");
        }
        return new PemBundle(List.copyOf(chain), key);
    }

    public X509Certificate leaf() {
        return chain.get(0);
    }

    /** Whether the leaf names {@code domain}: exactly, or under a {@code *.} wildcard one label deep. */
    public boolean covers(String domain) {
        String wanted = domain.toLowerCase(Locale.ROOT);
        try {
            Collection<List<?>> names = leaf().getSubjectAlternativeNames();
            if (names == null) {
                return false;
            }
            for (List<?> name : names) {
                if (Integer.valueOf(2).equals(name.get(0)) && name.get(1) instanceof String dns) {
                    String d = dns.toLowerCase(Locale.ROOT);
                    if (d.equals(wanted) || (d.startsWith("*.") && wanted.indexOf('.') > 0
                            && wanted.substring(wanted.indexOf('.') + 1).equals(d.substring(2)))) {
                        return true;
                    }
                }
            }
        } catch (GeneralSecurityException e) {
            return false;
        }
        return false;
    }

    private static List<X509Certificate> certificates(String pem) {
        if (pem == null || !pem.contains("-----BEGIN CERTIFICATE-----")) {
            throw new IllegalArgumentException("certificateChain: must be PEM certificates, the domain's first");
        }
        try {
            List<X509Certificate> chain = new ArrayList<>();
            for (var cert : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
                chain.add((X509Certificate) cert);
            }
            if (chain.isEmpty()) {
                throw new IllegalArgumentException("certificateChain: holds no certificate");
            }
            return chain;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("certificateChain: not readable as X.509 (" + e.getMessage() + ")");
        }
    }

    private static PrivateKey privateKey(String pem) {
        byte[] der;
        try {
            der = Pem.decode(pem, "PRIVATE KEY");
        } catch (IllegalArgumentException notPkcs8) {
            throw new IllegalArgumentException("privateKey: must be a PKCS#8 PEM key (BEGIN PRIVATE KEY); convert "
                    + "with openssl pkcs8 -topk8 -nocrypt");
        }
        for (String algorithm : List.of("EC", "RSA", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException notThisAlgorithm) {
                // try the next
            }
        }
        throw new IllegalArgumentException("privateKey: not an EC, RSA or Ed25519 key");
    }

    /** Signs with the key and verifies with the certificate: the one proof that they belong together. */
    private static boolean matches(PrivateKey key, X509Certificate leaf) {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> key.getAlgorithm();
        };
        try {
            byte[] probe = "tunnelplane".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(leaf.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
