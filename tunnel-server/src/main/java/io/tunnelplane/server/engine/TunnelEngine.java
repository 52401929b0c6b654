package io.tunnelplane.server.engine;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import io.tunnelplane.server.admission.LoginGuard;
import io.tunnelplane.protocol.DisconnectCause;
import io.tunnelplane.protocol.pause.PauseWatchdog;
import io.tunnelplane.protocol.transport.Transport;
import io.tunnelplane.server.config.TunnelServerProperties;
import io.tunnelplane.server.session.AgentSession;
import io.tunnelplane.server.session.SessionDrain;
import io.tunnelplane.server.session.SessionRegistry;
import io.tunnelplane.server.session.AgentPortAdmission;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The Netty tunnel engine as a Spring lifecycle bean: it binds the agent port once the context is ready and, on
 * shutdown, tells every agent it is going away, stops accepting, lets in-flight streams drain for
 * {@code tunnel.server.shutdown.drain}, and only then shuts the event loops down.
 */
@Component
public class TunnelEngine implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(TunnelEngine.class);

    private final TunnelServerProperties properties;
    private final AgentPortAdmission admission;
    private final SessionRegistry registry;
    private final ApplicationEventPublisher events;
    private final MeterRegistry meters;
    private final Transport transport = Transport.best();
    private EventLoopGroup acceptGroup;
    private EventLoopGroup ioGroup;
    private Channel agentListener;
    private final LoginGuard guard;
    private volatile boolean running;

    public TunnelEngine(TunnelServerProperties properties, AgentPortAdmission admission, SessionRegistry registry,
            ApplicationEventPublisher events, MeterRegistry meters, LoginGuard guard) {
        this.guard = guard;
        this.events = events;
        this.meters = meters;
        this.properties = properties;
        this.admission = admission;
        this.registry = registry;
    }

    @Override
    public void start() {
        PauseWatchdog.logPauses(log, "this server process");
        int threads = properties.eventLoopThreads() > 0
                ? properties.eventLoopThreads() : Runtime.getRuntime().availableProcessors() * 2;
        acceptGroup = transport.newGroup(1, "tunnel-accept");
        ioGroup = transport.newGroup(threads, "tunnel-io");
        registerPendingTaskGauges();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptGroup, ioGroup)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                // A reconnecting fleet waits here while the login guard has paused accepting (the kernel caps
                // this at net.core.somaxconn).
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childHandler(admission.agentChannelInitializer());
        transport.sessionChildOptions(bootstrap, properties.keepalive().time());
        InetSocketAddress address = new InetSocketAddress(properties.bindAddress(), properties.bindPort());
        try {
            agentListener = bootstrap.bind(address).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            shutdownGroups(Duration.ZERO);
            throw new IllegalStateException("cannot bind the agent port " + address
                    + " (tunnel.server.bind-address / tunnel.server.bind-port): " + e.getMessage(), e);
        }
        Channel listener = agentListener;
        guard.whenSaturated(full -> listener.eventLoop().execute(() -> {
            // Flips often under a reconnect storm: tunnel_logins_pending at max-pending shows it, not the log.
            listener.config().setAutoRead(!full);
        }));
        running = true;
        if (properties.keepalive().time().compareTo(Duration.ofSeconds(60)) > 0) {
            log.warn("tunnel.server.keepalive.time={}s is above 60s: NAT gateways and firewalls often drop idle "
                    + "mappings after 30 s to 5 min, and idle agents behind them would lose their sessions; "
                    + "use 15-30s unless every path is known", properties.keepalive().time().toSeconds());
        }
        log.info("tunnel engine listening for agents on {} ({} transport, {} I/O threads), proxies allowed on {}",
                agentListener.localAddress(), transport.name().toLowerCase(), threads, properties.allowPorts());
    }

    /** Tasks waiting on each I/O event loop: a loop that falls behind shows here before latency does. */
    private void registerPendingTaskGauges() {
        int index = 0;
        for (EventExecutor executor : ioGroup) {
            if (executor instanceof SingleThreadEventExecutor loop) {
                Gauge.builder("tunnel.event.loop.pending.tasks", loop, SingleThreadEventExecutor::pendingTasks)
                        .description("Tasks queued on an I/O event loop").tag("loop", Integer.toString(index))
                        .strongReference(true).register(meters);
            }
            index++;
        }
    }

    /** Whether the agent port is bound and accepting (false before start and from the first moment of a stop). */
    public boolean isAccepting() {
        return running && agentListener != null && agentListener.isActive();
    }

    /** The bound agent port (useful when configured as 0). */
    public int agentPort() {
        return ((InetSocketAddress) agentListener.localAddress()).getPort();
    }

    @Override
    public void stop() {
        if (!running) {
            return;
        }
        running = false;
        // Readiness goes false first and we keep serving while a load balancer notices and sends visitors
        // elsewhere; only then do we stop accepting and drain.
        AvailabilityChangeEvent.publish(events, this, ReadinessState.REFUSING_TRAFFIC);
        Duration grace = properties.shutdown().lbGrace();
        if (!grace.isZero()) {
            log.info("tunnel engine stopping: readiness is down, serving for {} more (tunnel.server.shutdown.lb-grace) "
                    + "until load balancers have noticed", grace);
            try {
                Thread.sleep(grace.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Duration drain = properties.shutdown().drain();
        log.info("tunnel engine stopping: telling {} agents, draining streams for up to {}", registry.all().size(),
                drain);
        agentListener.close().syncUninterruptibly();
        events.publishEvent(new DrainStarted());
        SessionDrain.drainAll(registry.groups(), drain);
        for (AgentSession session : registry.all()) {
            session.end(DisconnectCause.SERVER_SHUTDOWN);
        }
        shutdownGroups(Duration.ofSeconds(2));
        log.info("tunnel engine stopped");
    }

    private void shutdownGroups(Duration timeout) {
        long quiet = Math.min(100, timeout.toMillis());
        if (ioGroup != null) {
            ioGroup.shutdownGracefully(quiet, timeout.toMillis(), TimeUnit.MILLISECONDS).awaitUninterruptibly();
        }
        if (acceptGroup != null) {
            acceptGroup.shutdownGracefully(quiet, timeout.toMillis(), TimeUnit.MILLISECONDS).awaitUninterruptibly();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /**
     * Start after the web server, stop before its graceful shutdown (phase DEFAULT - 1024) and before the event
     * store flushes (DEFAULT - 2048): health and the API answer while agents drain, and their last events are kept.
     */
    @Override
    public int getPhase() {
        return LifecyclePhases.ENGINE;
    }
}
