package io.tunnelplane.protocol.mux;

import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.NetUtil;
import io.tunnelplane.protocol.ProtocolException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

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
    static final String TARGET = "x-tunnel-target";

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
            headers.set(SOURCE, address(open.source()));
        }
        if (open.target() != null) {
            headers.set(TARGET, address(open.target()));
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
            return new ProxyStream(Long.parseLong(id.toString()), kind.toString(), address(headers.get(SOURCE)),
                    address(headers.get(TARGET)));
        } catch (NumberFormatException e) {
            throw new ProtocolException("proxy id is not a number: " + id);
        }
    }

    /** An IP literal and port as {@code 192.0.2.1:80} or {@code [2001:db8::1]:80}. */
    static String address(InetSocketAddress address) {
        String ip = address.getAddress().getHostAddress();
        return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + address.getPort();
    }

    private static InetSocketAddress address(CharSequence text) {
        if (text == null) {
            return null;
        }
        String value = text.toString();
        int colon = value.lastIndexOf(':');
        byte[] ip = colon > 0 ? NetUtil.createByteArrayFromIpAddressString(
                value.substring(0, colon).replace("[", "").replace("]", "")) : null;
        if (ip == null) {
            throw new ProtocolException("not an IP address and port: " + value);
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), Integer.parseInt(value.substring(colon + 1)));
        } catch (UnknownHostException | IllegalArgumentException e) {
            throw new ProtocolException("not an IP address and port: " + value);
        }
    }

    private static Http2Headers request(String path) {
        return new DefaultHttp2Headers().method("POST").scheme("tunnel").authority("agent").path(path);
    }

    /** The opening of one proxied connection: which proxy, what traffic, and who the visitor is (for logs). */
    /**
     * @param source the visitor's address, {@code target} the public address it connected to; either may be null
     */
    public record ProxyStream(long proxyId, String kind, InetSocketAddress source, InetSocketAddress target) {
        public static final String TCP = "tcp";
        public static final String UDP = "udp";
    }
}
