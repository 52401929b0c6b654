package io.tunnelplane.agent;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.tunnelplane.protocol.DisconnectCause;
import io.tunnelplane.protocol.handshake.HandshakeDecoder;
import io.tunnelplane.protocol.transport.Transport;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent: keeps one session to the server and replaces it when it ends, with exponential backoff and full
 * jitter. Everything runs on the agent's event loops; {@link #run()} only waits for the final exit code.
 */
public final class Agent {
    private static final Logger log = LoggerFactory.getLogger("io.tunnelplane.agent");

    private final AgentSettings settings;
    private final Transport transport = Transport.best();
    private final EventLoopGroup group;
    private final Backoff backoff;
    private final AgentState state;
    private final SslContext tls;
    private final AgentMetrics metrics = new AgentMetrics();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile boolean stopping;
    private volatile AgentSession current;
    private DisconnectCause previousCause = DisconnectCause.NONE;
    private Duration askedKeepaliveTime;
    private int attempts;
    private int failures;

    public Agent(AgentSettings settings) {
        this.settings = settings;
        this.state = new AgentState(settings.hostReportInterval());
        this.tls = settings.tls().enabled() ? settings.tls().nettyContext() : null;
        this.askedKeepaliveTime = settings.keepaliveTime();
        this.group = transport.newGroup(Math.max(2, Runtime.getRuntime().availableProcessors()), "agent-io");
        this.backoff = new Backoff(settings.reconnectBase(), settings.reconnectCap(),
                () -> ThreadLocalRandom.current().nextDouble());
    }

    /** Starts connecting (once); the future completes with the exit code once the agent has stopped. */
    public CompletableFuture<Integer> start() {
        if (!started.compareAndSet(false, true)) {
            return exit;
        }
        log.info("agent {} starting: server {}:{} client {} tls={}", AgentVersion.current(), settings.serverHost(),
                settings.serverPort(), settings.token().clientId(), settings.tls().describe());
        if (tls == null) {
            log.warn("--insecure: the session to {}:{} is plain TCP; anyone on the path can read proxied traffic",
                    settings.serverHost(), settings.serverPort());
        }
        group.execute(this::connect);
        return exit;
    }

    /** Runs until stopped or refused; returns the process exit code. */
    public int run() {
        return start().join();
    }

    /** Stops cleanly: tells the server {@code agent_shutdown}, closes, and completes with exit code 0. */
    public void stop() {
        if (stopping) {
            exit.join();
            return;
        }
        stopping = true;
        AgentSession session = current;
        if (session != null) {
            // Shutting the event loops down closes channels at once: let the GOAWAY reach the wire first.
            session.end(DisconnectCause.AGENT_SHUTDOWN).awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        finish(ExitCode.OK, Duration.ofSeconds(2));
        exit.join();
    }

    public AgentMetrics metrics() {
        return metrics;
    }

    private void connect() {
        if (stopping) {
            return;
        }
        attempts++;
        AgentSession session = new AgentSession(state, metrics, (outcome, lasted) -> {
            if (!stopping && !group.isShuttingDown()) {
                group.execute(() -> onEnded(outcome, lasted));
            }
        });
        current = session;
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(transport.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.connectTimeout().toMillis())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        session.bind(ch);
                        if (tls != null) {
                            // The host name goes out as SNI and, with CA-based trust, is checked against the certificate.
                            ch.pipeline().addLast(AgentSession.TLS, tls.newHandler(ch.alloc(), settings.serverHost(),
                                    settings.serverPort()));
                        }
                        ch.pipeline().addLast(AgentSession.DECODER, new HandshakeDecoder())
                                .addLast(AgentLoginHandler.NAME,
                                        new AgentLoginHandler(settings, askedKeepaliveTime, session, previousCause,
                                        attempts));
                    }
                });
        transport.sessionOptions(bootstrap, Duration.ofSeconds(15));
        bootstrap.connect(settings.serverHost(), settings.serverPort()).addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                session.failedToConnect(f.cause());
            }
        });
    }

    private void onEnded(SessionOutcome outcome, Duration lasted) {
        if (stopping) {
            return;
        }
        if (outcome.exitCode() != null) {
            log.error("{}; stopping with exit code {}", outcome.detail(), outcome.exitCode());
            stopping = true;
            finish(outcome.exitCode(), Duration.ZERO);
            return;
        }
        if (outcome.cause() == DisconnectCause.TOO_MANY_PINGS) {
            // The server's enforcement says we probed too often: ask for twice the agreed interval from now on.
            askedKeepaliveTime = Duration.ofMillis(Math.max(1_000, metrics.keepaliveTimeMillis()) * 2);
            log.warn("server refused our ping rate (too_many_pings); asking for keepalive-time {}ms from now on",
                    askedKeepaliveTime.toMillis());
        }
        if (outcome.established()) {
            previousCause = outcome.cause();
            attempts = 0;
            // A session the server ended on purpose, or one that was stable, does not count toward backoff.
            boolean healthy = outcome.serverAskedToReconnect() || lasted.compareTo(settings.stableAfter()) >= 0;
            failures = healthy ? 0 : failures + 1;
        } else {
            failures++;
        }
        metrics.failedAttempts(outcome.established() ? 0 : failures);
        Duration delay = outcome.serverAskedToReconnect() || failures == 0
                ? backoff.promptDelay(outcome.reconnectWithin()) : backoff.delay(failures);
        if (outcome.established()) {
            log.info("disconnected from server cause={} after {}{}; reconnecting in {}ms", outcome.cause().wireName(),
                    human(lasted), outcome.detail().isEmpty() ? "" : " (" + outcome.detail() + ")", delay.toMillis());
        } else {
            log.warn("cannot reach server {}:{} (attempt {}): {}; retrying in {}ms (cap {}s)", settings.serverHost(),
                    settings.serverPort(), attempts, outcome.detail(), delay.toMillis(), backoff.cap().toSeconds());
        }
        group.schedule(this::connect, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void finish(int code, Duration quiet) {
        group.shutdownGracefully(quiet.toMillis() > 0 ? 100 : 0, quiet.toMillis(), TimeUnit.MILLISECONDS)
                .addListener(f -> exit.complete(code));
    }

    private static String human(Duration d) {
        return d.toMillis() < 10_000 ? d.toMillis() + "ms" : d.toSeconds() + "s";
    }
}
