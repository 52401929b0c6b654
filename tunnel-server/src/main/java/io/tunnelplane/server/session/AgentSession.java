package io.tunnelplane.server.session;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.tunnelplane.control.runtime.LiveSession;
import io.tunnelplane.protocol.DisconnectCause;
import io.tunnelplane.protocol.control.ControlMessage;
import io.tunnelplane.protocol.control.ProxySpec;
import io.tunnelplane.protocol.keepalive.KeepaliveMonitor;
import io.tunnelplane.protocol.transport.Transport;
import io.tunnelplane.protocol.mux.GoAwayReason;
import java.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One logged-in agent connection of a client's {@link SessionGroup}: its HTTP/2 channel, its streams and the
 * bookkeeping that the session-end log line and metrics need. All mutation happens on the channel's event loop;
 * the fields read from other threads (live state for the API, the group's choice of session) are volatile.
 */
public final class AgentSession {
    private static final Logger log = LoggerFactory.getLogger("io.tunnelplane.proxy");
    private final Channel channel;
    private final String clientId;
    private final String sessionId;
    private final SessionInfo info;
    private final KeepaliveMonitor keepalive;
    /** A probe answered later than this on a healthy path is unusual even across continents. */
    static final long OVERDUE_FLOOR_NANOS = 200_000_000L;
    private final long startedNanos = System.nanoTime();
    private final Instant connectedAt = Instant.now();
    private final String connectionId;
    private volatile SessionGroup group;
    private volatile DisconnectCause cause;
    private volatile long bytesIn;
    private volatile long bytesOut;
    /** Bytes relayed so far, added by the visitors' event loops as they move; read by the traffic history. */
    private final LongAdder relayedIn = new LongAdder();
    private final LongAdder relayedOut = new LongAdder();
    private volatile long retransmits = -1;
    /** Written on the event loop only; read by the group when it picks a session for a visitor. */
    private volatile int activeStreams;
    private volatile boolean draining;
    private DisconnectCause peerAnnouncedCause;
    private String detail;
    private volatile LiveSession.Host host;
    private boolean hostShort;
    private Channel controlStream;

    AgentSession(Channel channel, String clientId, String sessionId, String connectionId, SessionInfo info,
            KeepaliveMonitor keepalive) {
        this.channel = channel;
        this.clientId = clientId;
        this.sessionId = sessionId;
        this.connectionId = connectionId;
        this.info = info;
        this.keepalive = keepalive;
    }

    /** Which connection of the agent's set this is; a reconnect of the same connection replaces this session. */
    public String connectionId() {
        return connectionId;
    }

    /** The client's group this session serves in (set once it has joined). */
    public SessionGroup group() {
        return group;
    }

    void joined(SessionGroup joinedGroup) {
        this.group = joinedGroup;
    }

    /** Up, and not ending: it may carry new visitors. */
    public boolean isLive() {
        return cause == null && channel.isActive();
    }

    /** Told to go away (shutdown drain): no new visitors, its streams finish. */
    public boolean isDraining() {
        return draining;
    }

    /**
     * Whether the path looks broken: a keepalive probe has gone unanswered, and nothing else has arrived either,
     * for longer than a healthy path explains (a few round trips, at least {@link #OVERDUE_FLOOR_NANOS}). New
     * visitors then prefer a sibling, long before the timeout. Traffic still arriving is proof of life: a busy
     * agent that answers the probe late is not overdue.
     */
    public boolean probeOverdue() {
        long rtt = keepalive.lastRttNanos();
        long grace = Math.max(OVERDUE_FLOOR_NANOS, rtt < 0 ? 0 : 4 * rtt);
        return keepalive.probeOutstandingNanos() > grace && keepalive.silenceNanos() > grace;
    }

    /** Nanoseconds since anything arrived from the agent. */
    long silenceNanos() {
        return keepalive.silenceNanos();
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

    /**
     * Samples the kernel's retransmission count; called when a probe is answered, so the figure describes the path
     * while it still worked (a dead path adds retransmissions of its own, which would read as loss).
     */
    void sampleRetransmits() {
        long sampled = Transport.retransmits(channel);
        if (sampled >= 0) {
            retransmits = sampled;
        }
    }

    /** Segments the kernel retransmitted up to the last answered probe, -1 when unknown. */
    public long retransmits() {
        return retransmits;
    }

    /** The session's keepalive state, for telling our own stalls from the peer's silence. */
    KeepaliveMonitor keepalive() {
        return keepalive;
    }

    /** How long the probe in flight has waited for its answer, zero when none is in flight. */
    public Duration probeWaiting() {
        return Duration.ofNanos(keepalive.probeOutstandingNanos());
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

    /** Visitor connections this session carries now. */
    public int activeStreams() {
        return activeStreams;
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

    void controlStream(Channel stream) {
        this.controlStream = stream;
    }

    /** Sends the group's complete proxy list over the control stream (event loop only). */
    void pushProxies(long version, List<ProxySpec> current) {
        if (controlStream != null && controlStream.isActive()) {
            controlStream.writeAndFlush(new ControlMessage.ProxyList(version, current));
        }
    }

    /**
     * Tells the agent the cluster's nodes changed, if it understands that (older agents learn them only when they
     * log in again). Any thread.
     */
    public void pushClusterNodes(List<String> nodes) {
        if (!info.clusterUpdates()) {
            return;
        }
        eventLoop().execute(() -> {
            if (controlStream != null && controlStream.isActive()) {
                controlStream.writeAndFlush(new ControlMessage.ClusterNodes(nodes));
            }
        });
    }

    public void streamOpened() {
        activeStreams++;
    }

    /** Counts bytes as a visitor connection relays them: {@code in} from the visitor, {@code out} to it. */
    public void relayed(long in, long out) {
        if (in > 0) {
            relayedIn.add(in);
        }
        if (out > 0) {
            relayedOut.add(out);
        }
    }

    public long relayedIn() {
        return relayedIn.sum();
    }

    public long relayedOut() {
        return relayedOut.sum();
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

    /** No new visitors from now on (shutdown drain); its streams finish. */
    void drain() {
        draining = true;
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
