package io.tunnelplane.control.certificate;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** PEM text: DER wrapped in {@code -----BEGIN <type>-----} lines, 64 base64 characters a line. */
public final class Pem {
    private Pem() {
    }

    public static String encode(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** The DER of the first {@code type} block in {@code pem}; {@link IllegalArgumentException} when there is none. */
    public static byte[] decode(String pem, String type) {
        String begin = "-----BEGIN " + type + "-----";
        int start = pem == null ? -1 : pem.indexOf(begin);
        int end = start < 0 ? -1 : pem.indexOf("-----END " + type + "-----", start);
        if (end < 0) {
            throw new IllegalArgumentException("no " + type + " block");
        }
        try {
            return Base64.getMimeDecoder().decode(pem.substring(start + begin.length(), end));
        } catch (IllegalArgumentException notBase64) {
            throw new IllegalArgumentException("the " + type + " block is not base64");
        }
    }
}
