package io.tunnelplane.server.session;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.SslHandler;
import io.tunnelplane.protocol.handshake.HandshakeDecoder;
import io.tunnelplane.protocol.session.SessionPipeline;
import io.tunnelplane.server.admission.ConnectionLimit;
import io.tunnelplane.server.admission.LogThrottle;
import io.tunnelplane.server.admission.LoginGuard;
import io.tunnelplane.server.client.ClientDirectory;
import io.tunnelplane.server.config.TunnelServerProperties;
import io.tunnelplane.server.metrics.TunnelMetrics;
import io.tunnelplane.server.tls.ServerIdentity;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * The agent port's door: a new connection is admitted (connection limit, login guard) or reset at once, then gets
 * TLS and the login handler. What happens after a successful login is {@link SessionOpener}'s.
 */
@Component
public class AgentPortAdmission {
    private static final Logger log = LoggerFactory.getLogger("io.tunnelplane.session");

    private final TunnelServerProperties properties;
    private final ConnectionLimit limit;
    private final LoginGuard guard;
    private final ServerIdentity identity;
    private final TunnelMetrics metrics;
    private final LogThrottle refusalLog = new LogThrottle(Duration.ofMinutes(1), 10_000, System::nanoTime);
    private final LoginContext login;

    public AgentPortAdmission(TunnelServerProperties properties, ConnectionLimit limit, LoginGuard guard,
            ServerIdentity identity, ClientDirectory directory, TunnelMetrics metrics, ClusterNodes clusterNodes,
            SessionOpener opener, ObjectProvider<BuildProperties> build) {
        this.properties = properties;
        this.limit = limit;
        this.guard = guard;
        this.identity = identity;
        this.metrics = metrics;
        BuildProperties buildProperties = build.getIfAvailable();
        this.login = new LoginContext(directory, guard, refusalLog, metrics,
                buildProperties == null ? "dev" : buildProperties.getVersion(), properties.handshakeTimeout(),
                new KeepaliveNegotiation(properties.keepalive()), clusterNodes, opener);
    }

    /** A new agent connection: admission, the handshake handlers, then the login. */
    public ChannelInitializer<Channel> agentChannelInitializer() {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                if (!limit.admit(ch)) {
                    return;
                }
                LoginGuard.Ticket ticket = guard.admit(((InetSocketAddress) ch.remoteAddress()).getAddress());
                if (ticket.admission() != LoginGuard.Admission.ADMITTED) {
                    refuse(ch, ticket);
                    return;
                }
                ch.closeFuture().addListener(closed -> ticket.release());
                identity.sslContext().ifPresent(tls -> {
                    SslHandler handler = tls.newHandler(ch.alloc());
                    handler.setHandshakeTimeoutMillis(properties.handshakeTimeout().toMillis());
                    ch.pipeline().addLast(SessionPipeline.TLS, handler);
                });
                ch.pipeline().addLast(SessionPipeline.HANDSHAKE_DECODER, new HandshakeDecoder())
                        .addLast(SessionPipeline.LOGIN, new ServerLoginHandler(login, ticket));
            }
        };
    }

    /** Closes a connection the login guard would not admit: reset at once, counted, logged once a minute. */
    private void refuse(Channel ch, LoginGuard.Ticket ticket) {
        boolean locked = ticket.admission() == LoginGuard.Admission.LOCKED_OUT;
        metrics.connectionRefused(locked ? "locked_out" : "pending_logins");
        long suppressed = refusalLog.admit(ticket.admission() + "/" + ticket.address().getHostAddress());
        if (suppressed >= 0 && locked) {
            log.warn("refusing connections from {}: locked out for {} after {} failed logins ({} more refusals since "
                    + "the last line)", ticket.address().getHostAddress(), SessionEnd.human(guard.lockedFor(
                    ticket.address())), guard.failureCount(ticket.address()), suppressed);
        } else if (suppressed >= 0) {
            log.warn("refusing connections from {}: too many unauthenticated connections (tunnel.server.login."
                    + "max-pending / max-pending-per-address) ({} more refusals since the last line)",
                    ticket.address().getHostAddress(), suppressed);
        }
        ch.config().setOption(ChannelOption.SO_LINGER, 0);
        ch.close();
    }

    @Scheduled(fixedDelay = 60_000)
    public void pruneRefusalLog() {
        refusalLog.prune();
    }
}
