package io.tunnelplane.protocol.handshake;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;
import io.tunnelplane.protocol.ProtocolException;

/**
 * Splits the handshake frames and decodes them. It is removed once the login completes; bytes that arrived after
 * the last handshake frame (the peer's HTTP/2 preface) are then passed on to the HTTP/2 codec.
 */
public final class HandshakeDecoder extends LengthFieldBasedFrameDecoder {
    private boolean failed;
    public HandshakeDecoder() {
        super(HandshakeCodec.MAX_FRAME, 0, 4, 0, 4);
    }

    @Override
    protected Object decode(ChannelHandlerContext ctx, ByteBuf in) throws Exception {
        if (failed) {
            in.skipBytes(in.readableBytes()); // the connection is closing: one error report is enough
            return null;
        }
        ByteBuf frame;
        try {
            frame = (ByteBuf) super.decode(ctx, in);
        } catch (TooLongFrameException tooLong) {
            failed = true;
            throw new ProtocolException("handshake frame larger than " + HandshakeCodec.MAX_FRAME + " bytes");
        } catch (CorruptedFrameException negative) {
            failed = true;
            throw new ProtocolException("handshake frame of negative length");
        }
        if (frame == null) {
            return null;
        }
        try {
            return HandshakeCodec.decode(frame);
        } catch (ProtocolException malformed) {
            failed = true;
            throw malformed;
        } finally {
            frame.release();
        }
    }
}
