package io.tunnelplane.server.vhost;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Watches the responses a local service sends back through a virtual host, without changing a byte: it counts
 * each final response by status, and when a forwarded request has had no response begun within the timeout it
 * answers 504 (or, mid-response, closes) so the visitor never hangs. Requests are announced by
 * {@link HttpRequestForwarder}; their methods are needed to frame the responses (a HEAD response has no body).
 * After {@code 101 Switching Protocols} the connection is no longer HTTP and the watch steps aside.
 */
final class HttpResponseWatch extends ChannelOutboundHandlerAdapter {
    static final String NAME = "http-response-watch";

    private final Duration timeout;
    private final ResponseListener statusCounter;
    private final Runnable onTimeout;
    private final ArrayDeque<RequestLine> methods = new ArrayDeque<>();
    private final ResponseDecoder responses = new ResponseDecoder();
    private final EmbeddedChannel decoder = new EmbeddedChannel(responses);
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> deadline;
    private int requestsSent;
    private int responsesBegun;
    private boolean inResponse;
    private boolean partialHead;

    /**
     * @param statusCounter receives every final response's status with the request it answers
     * @param onTimeout     answers the visitor when no response began in time; called only between responses
     */
    HttpResponseWatch(Duration timeout, ResponseListener statusCounter, Runnable onTimeout) {
        this.timeout = timeout;
        this.statusCounter = statusCounter;
        this.onTimeout = onTimeout;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /**
     * A request as the access log tells it: its path without the query, when its head went on, and who sent it
     * (signed in), if anyone.
     */
    record RequestLine(HttpMethod method, String host, String path, String user, Instant start, long startNanos) {
        static RequestLine of(HttpRequest request, String user) {
            return new RequestLine(request.method(), request.headers().get(HttpHeaderNames.HOST),
                    HttpRequestHead.pathOf(request.uri()), user, Instant.now(), System.nanoTime());
        }
    }

    /** Hears each final response (or the 504 given in its place) with the request it answers, when known. */
    interface ResponseListener {
        void answered(RequestLine request, int status);
    }

    /** A request head went to the local service: its response is framed by its method. */
    void requestStarted(HttpRequest request, String user) {
        methods.add(RequestLine.of(request, user));
    }

    /** A request was sent in full: from now on its response is awaited. */
    void requestSent() {
        requestsSent++;
        rearm();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf bytes && bytes.isReadable()) {
            observe(bytes.retainedDuplicate());
        }
        ctx.write(msg, promise);
    }

    private void observe(ByteBuf bytes) {
        partialHead = !inResponse;
        decoder.writeInbound(bytes);
        Object decoded;
        while ((decoded = decoder.readInbound()) != null) {
            try {
                if (!onDecoded(decoded)) {
                    stepAside();
                    return;
                }
            } finally {
                ReferenceCountUtil.release(decoded);
            }
        }
        rearm();
    }

    /** Returns false once the connection stops being HTTP (an upgrade) or the response cannot be parsed. */
    private boolean onDecoded(Object decoded) {
        if (decoded instanceof HttpMessage message && message.decoderResult().isFailure()) {
            return false;
        }
        if (decoded instanceof HttpResponse response) {
            partialHead = false;
            int code = response.status().code();
            if (code == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
                statusCounter.answered(methods.peek(), code);
                return false;
            }
            if (code >= 200) {
                statusCounter.answered(methods.peek(), code);
                responsesBegun++;
                inResponse = true;
            }
        }
        if (decoded instanceof LastHttpContent && inResponse) {
            inResponse = false;
            methods.poll();
        }
        return true;
    }

    /** Waits for a response head exactly while a sent request has none and nothing is being answered. */
    private void rearm() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
        if (requestsSent > responsesBegun && !inResponse && ctx != null) {
            deadline = ctx.executor().schedule(this::expired, timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void expired() {
        deadline = null;
        if (!ctx.channel().isActive()) {
            return;
        }
        boolean midResponse = partialHead || responses.buffered() > 0; // read before stepping aside frees it
        stepAside();
        if (midResponse) {
            ctx.close(); // part of a response is out already: a page now would garble it
        } else {
            statusCounter.answered(methods.peek(), HttpResponseStatus.GATEWAY_TIMEOUT.code());
            onTimeout.run();
        }
    }

    private void stepAside() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
        if (ctx.pipeline().context(this) != null) {
            ctx.pipeline().remove(this);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (deadline != null) {
            deadline.cancel(false);
        }
        decoder.finishAndReleaseAll();
    }

    /** Frames responses as the requests they answer demand: nothing follows the head of a HEAD response. */
    private final class ResponseDecoder extends HttpResponseDecoder {
        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
            RequestLine request = methods.peek();
            return (request != null && HttpMethod.HEAD.equals(request.method())) || super.isContentAlwaysEmpty(msg);
        }

        int buffered() {
            return actualReadableBytes();
        }
    }
}
