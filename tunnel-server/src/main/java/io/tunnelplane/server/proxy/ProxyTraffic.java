package io.tunnelplane.server.proxy;

import io.micrometer.core.instrument.DistributionSummary;
import io.tunnelplane.protocol.control.ProxySpec;
import io.tunnelplane.protocol.mux.RelayListener;
import io.tunnelplane.server.accesslog.AccessLog;
import io.tunnelplane.server.admission.BandwidthLimits;
import io.tunnelplane.server.metrics.TunnelMetrics;
import io.tunnelplane.server.session.AgentSession;
import java.net.InetSocketAddress;
import java.time.Instant;

/**
 * One relayed visitor connection: counts its bytes into the session and the proxy's metrics, paces it to the
 * proxy's and the client's bandwidth limits, and writes its access-log line when it ends.
 */
final class ProxyTraffic implements RelayListener {
    private final BandwidthLimits.Pacer pacer;
    private final AgentSession session;
    private final ProxySpec proxy;
    private final DistributionSummary in;
    private final DistributionSummary out;
    private final TunnelMetrics metrics;
    private final RelayListener refusal;
    private final AccessLog accessLog;
    private final InetSocketAddress visitor;
    private final Instant start = Instant.now();
    private long bytesIn;
    private long bytesOut;

    ProxyTraffic(AgentSession session, ProxySpec proxy, TunnelMetrics metrics, RelayListener refusal,
            BandwidthLimits.Pacer pacer, AccessLog accessLog, InetSocketAddress visitor) {
        this.pacer = pacer;
        this.refusal = refusal;
        this.session = session;
        this.proxy = proxy;
        this.metrics = metrics;
        this.accessLog = accessLog;
        this.visitor = visitor;
        this.in = metrics.proxyBytes(proxy.name(), proxy.type(), "in");
        this.out = metrics.proxyBytes(proxy.name(), proxy.type(), "out");
    }

    @Override
    public void fromTcp(int bytes) {
        bytesIn += bytes;
        in.record(bytes);
        session.relayed(bytes, 0);
        pacer.used(true, bytes);
    }

    @Override
    public void fromStream(int bytes) {
        bytesOut += bytes;
        out.record(bytes);
        session.relayed(0, bytes);
        pacer.used(false, bytes);
    }

    @Override
    public long readDelayNanos(boolean fromTcp) {
        return pacer.delayNanos(fromTcp);
    }

    @Override
    public boolean answerRefusal(String status) {
        return refusal.answerRefusal(status);
    }

    @Override
    public void closed(boolean aborted) {
        session.streamClosed(bytesIn, bytesOut);
        metrics.streamClosed();
        accessLog.record(AccessLog.ended("connection", session.clientId(), proxy, visitor, start, bytesIn, bytesOut,
                aborted ? "reset" : "closed"));
    }
}
