package io.tunnelplane.server.session;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.tunnelplane.control.runtime.LiveSession;
import io.tunnelplane.protocol.DisconnectCause;
import io.tunnelplane.protocol.control.ControlMessage;
import io.tunnelplane.protocol.control.ProxySpec;
import io.tunnelplane.protocol.keepalive.KeepaliveMonitor;
import io.tunnelplane.protocol.mux.GoAwayReason;
import io.tunnelplane.server.proxy.ProxyListener;
import java.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One logged-in agent connection: its HTTP/2 channel, the public listeners opened for it and the bookkeeping that
 * the session-end log line and metrics need. All mutation happens on the channel's event loop; the fields read
 * from other threads (live state for the API) are volatile or concurrent.
 */
public final class AgentSession {
    private static final Logger log = LoggerFactory.getLogger("io.tunnelplane.proxy");
    private final Channel channel;
    private final String clientId;
    private final String sessionId;
    private final SessionInfo info;
    private final KeepaliveMonitor keepalive;
    private final long startedNanos = System.nanoTime();
    private final Instant connectedAt = Instant.now();
    private final Map<Long, ProxyListener> listeners = new ConcurrentHashMap<>();
    private final Map<Long, String> localProblems = new ConcurrentHashMap<>();
    private final Promise<Void> listenersClosed;
    private volatile DisconnectCause cause;
    private volatile long bytesIn;
    private volatile long bytesOut;
    private int activeStreams;
    /** Open visitor connections per proxy (port or virtual host); event loop only, like activeStreams. */
    private final Map<Long, int[]> visitorConnections = new HashMap<>();
    /** Whether a change from the control plane reached this session; event loop only. */
    private boolean controlPlaneApplied;
    private DisconnectCause peerAnnouncedCause;
    private String detail;
    private volatile List<ProxySpec> proxies = List.of();
    private volatile LiveSession.Host host;
    private boolean hostShort;
    private long proxyListVersion;
    private Channel controlStream;

    AgentSession(Channel channel, String clientId, String sessionId, SessionInfo info, KeepaliveMonitor keepalive) {
        this.channel = channel;
        this.clientId = clientId;
        this.sessionId = sessionId;
        this.info = info;
        this.keepalive = keepalive;
        this.listenersClosed = channel.eventLoop().newPromise();
    }

    public String clientId() {
        return clientId;
    }

    public String sessionId() {
        return sessionId;
    }

    public SessionInfo info() {
        return info;
    }

    public Channel channel() {
        return channel;
    }

    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    public Instant connectedAt() {
        return connectedAt;
    }

    public SocketAddress remoteAddress() {
        return channel.remoteAddress();
    }

    public Duration age() {
        return Duration.ofNanos(System.nanoTime() - startedNanos);
    }

    /** Last heartbeat round-trip time, or null before the first probe was answered. */
    public Duration lastRtt() {
        long rtt = keepalive.lastRttNanos();
        return rtt < 0 ? null : Duration.ofNanos(rtt);
    }

    public Duration silence() {
        return Duration.ofNanos(keepalive.silenceNanos());
    }

    public DisconnectCause cause() {
        return cause;
    }

    public long bytesIn() {
        return bytesIn;
    }

    public long bytesOut() {
        return bytesOut;
    }

    public Map<Long, ProxyListener> listeners() {
        return listeners;
    }

    /** Completes once every public listener of this session has been closed (its ports are free again). */
    public Future<Void> listenersClosed() {
        return listenersClosed;
    }

    void controlPlaneApplied() {
        controlPlaneApplied = true;
    }

    boolean wasControlPlaneApplied() {
        return controlPlaneApplied;
    }

    /** The open visitor-connection count of a proxy of this session, to change on its event loop only. */
    public int[] visitorConnections(long proxyId) {
        return visitorConnections.computeIfAbsent(proxyId, id -> new int[1]);
    }

    /** Visitor connections this session carries now (event loop only). */
    public int activeStreams() {
        return activeStreams;
    }

    /** The agent reported that a proxy's local service refused ({@code problem}) or answered again (null). */
    void localStatus(long proxyId, String problem) {
        if (problem == null) {
            localProblems.remove(proxyId);
        } else {
            localProblems.put(proxyId, problem);
        }
    }

    /**
     * The agent reported its host's resources. Logs once when the host runs short (open files near the limit,
     * little memory left) and once when it recovers, so a later disconnect can be read against it.
     */
    void hostReport(ControlMessage.HostReport report) {
        host = new LiveSession.Host(report.openFiles(), report.maxFiles(), report.memoryAvailableBytes(),
                report.memoryTotalBytes(), Instant.now());
        String shortOf = HostShortage.describe(report);
        if (shortOf != null && !hostShort) {
            log.warn("agent host short of resources client={} session={} {}", clientId, sessionId, shortOf);
        } else if (shortOf == null && hostShort) {
            log.info("agent host resources recovered client={} session={}", clientId, sessionId);
        }
        hostShort = shortOf != null;
    }

    /** The agent host's resources as last reported, or null before the first report. */
    public LiveSession.Host host() {
        return host;
    }

    /** Proxy id to why its local service is unreachable, as last reported by the agent. */
    public Map<Long, String> localProblems() {
        return Map.copyOf(localProblems);
    }

    /** The proxies this session serves, as last sent to the agent. */
    public List<ProxySpec> proxies() {
        return proxies;
    }

    void controlStream(Channel stream) {
        this.controlStream = stream;
    }

    /** Sends the complete proxy list, with a higher version than any before, over the control stream. */
    public void pushProxies(List<ProxySpec> current) {
        proxies = List.copyOf(current);
        if (controlStream != null && controlStream.isActive()) {
            controlStream.writeAndFlush(new ControlMessage.ProxyList(++proxyListVersion, proxies));
        }
    }

    public void addListener(ProxySpec spec, ProxyListener listener) {
        listeners.put(spec.id(), listener);
    }

    /** Closes one proxy's public port; connections it accepted keep relaying. */
    public Future<Void> removeListener(long proxyId) {
        ProxyListener listener = listeners.remove(proxyId);
        if (listener == null) {
            return channel.eventLoop().newSucceededFuture(null);
        }
        log.info("proxy closed client={} proxy={} port={}", clientId, listener.spec().name(),
                listener.spec().remotePort());
        return listener.close();
    }

    public void streamOpened() {
        activeStreams++;
    }

    public void streamClosed(long in, long out) {
        activeStreams--;
        bytesIn += in;
        bytesOut += out;
    }

    void peerAnnounced(DisconnectCause announced, String detail) {
        if (peerAnnouncedCause == null) {
            peerAnnouncedCause = announced;
            if (announced == DisconnectCause.PROTOCOL_ERROR) {
                this.detail = "agent reported: " + detail;
            }
        }
    }

    /** Our HTTP/2 codec ended the connection on a protocol violation (it sends GOAWAY with an error code). */
    void localProtocolError(String detail) {
        if (cause == null) {
            cause = DisconnectCause.PROTOCOL_ERROR;
            this.detail = detail;
        }
    }

    /** Extra explanation of the cause for the session-end log line, or null. */
    String detail() {
        return detail;
    }

    /** Stops accepting public connections; established relays keep running (drain). */
    void closeListeners() {
        List<Future<?>> closing = new ArrayList<>();
        for (ProxyListener listener : listeners.values()) {
            closing.add(listener.close());
        }
        listeners.clear();
        if (closing.isEmpty()) {
            listenersClosed.trySuccess(null);
            return;
        }
        int[] remaining = {closing.size()};
        for (Future<?> future : closing) {
            future.addListener(f -> {
                if (--remaining[0] == 0) {
                    PortRelease.afterRelease(channel.eventLoop(), () -> listenersClosed.trySuccess(null));
                }
            });
        }
    }

    /**
     * Tells the agent why we are going away (GOAWAY with the cause as debug data) without closing yet, so that
     * in-flight streams may finish. The first cause recorded wins.
     */
    void announce(DisconnectCause reason) {
        announce(GoAwayReason.of(reason));
    }

    void announce(GoAwayReason reason) {
        if (cause == null) {
            cause = reason.cause();
        }
        if (channel.isActive()) {
            channel.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR,
                    ByteBufUtil.writeUtf8(channel.alloc(), reason.encode())));
        }
    }

    /** Ends the session now with {@code reason} (ignored if a cause was already recorded). */
    public void end(DisconnectCause reason) {
        if (!channel.eventLoop().inEventLoop()) {
            channel.eventLoop().execute(() -> end(reason));
            return;
        }
        boolean first = cause == null;
        announce(reason);
        if (first || channel.isActive()) {
            closeListeners();
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Settles the cause when the connection closed without one of ours: the agent's announcement, or the path. */
    DisconnectCause settleCause(Throwable lastError) {
        if (cause == null) {
            if (peerAnnouncedCause != null) {
                cause = peerAnnouncedCause;
            } else if (lastError != null) {
                cause = DisconnectCause.PEER_RESET;
            } else {
                cause = DisconnectCause.PEER_CLOSED;
            }
        }
        return cause;
    }
}
