package io.tunnelplane.protocol.mux;

import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.tunnelplane.protocol.ProtocolException;

/**
 * What a stream carries, sent in the HEADERS that open it so the agent can dial at once: no extra round trip.
 * A stream is either the session's control stream or a proxied connection of a given kind.
 */
public final class StreamHeaders {
    public static final String CONTROL_PATH = "/control";
    public static final String PROXY_PATH = "/proxy";
    static final String KIND = "x-tunnel-kind";
    static final String PROXY_ID = "x-tunnel-proxy";
    static final String SOURCE = "x-tunnel-source";

    /** How the agent refuses a stream whose local service cannot be reached. */
    public static final String STATUS_OK = "200";
    public static final String STATUS_UNREACHABLE = "502";
    /** The local service did not accept the connection within the agent's dial timeout. */
    public static final String STATUS_TIMED_OUT = "504";
    public static final String STATUS_UNKNOWN_PROXY = "404";

    private StreamHeaders() {
    }

    public static Http2Headers control() {
        return request(CONTROL_PATH);
    }

    public static Http2Headers proxy(ProxyStream open) {
        Http2Headers headers = request(PROXY_PATH);
        headers.set(KIND, open.kind());
        headers.set(PROXY_ID, Long.toString(open.proxyId()));
        if (open.source() != null) {
            headers.set(SOURCE, open.source());
        }
        return headers;
    }

    public static Http2Headers response(String status) {
        return new DefaultHttp2Headers().status(status);
    }

    public static boolean isControl(Http2Headers headers) {
        return headers.path() != null && CONTROL_PATH.contentEquals(headers.path());
    }

    /** Reads a proxied stream's opening headers; malformed ones are a protocol error. */
    public static ProxyStream parseProxy(Http2Headers headers) {
        if (headers.path() == null || !PROXY_PATH.contentEquals(headers.path())) {
            throw new ProtocolException("stream opened with unknown path " + headers.path());
        }
        CharSequence kind = headers.get(KIND);
        CharSequence id = headers.get(PROXY_ID);
        if (kind == null || id == null) {
            throw new ProtocolException("proxy stream without kind or proxy id");
        }
        try {
            CharSequence source = headers.get(SOURCE);
            return new ProxyStream(Long.parseLong(id.toString()), kind.toString(),
                    source == null ? null : source.toString());
        } catch (NumberFormatException e) {
            throw new ProtocolException("proxy id is not a number: " + id);
        }
    }

    private static Http2Headers request(String path) {
        return new DefaultHttp2Headers().method("POST").scheme("tunnel").authority("agent").path(path);
    }

    /** The opening of one proxied connection: which proxy, what traffic, and who the visitor is (for logs). */
    public record ProxyStream(long proxyId, String kind, String source) {
        public static final String TCP = "tcp";
        public static final String UDP = "udp";
    }
}
