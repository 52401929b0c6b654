package io.tunnelplane.server.sso;

/** A sign-in that cannot complete, with a reason an operator can act on (never a token or secret). */
public final class SignOnException extends RuntimeException {
    public SignOnException(String message) {
        super(message, null, false, false);
    }
}
