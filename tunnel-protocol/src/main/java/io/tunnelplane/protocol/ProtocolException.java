package io.tunnelplane.protocol;

import io.netty.handler.codec.DecoderException;

/**
 * The peer sent something that does not follow the protocol; the session ends with {@code protocol_error}. A
 * {@link DecoderException} so that Netty's decoders pass it on unwrapped.
 */
public class ProtocolException extends DecoderException {
    public ProtocolException(String message) {
        super(message);
    }
}
