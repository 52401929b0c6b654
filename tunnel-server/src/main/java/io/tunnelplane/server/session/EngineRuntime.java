package io.tunnelplane.server.session;

import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.PromiseCombiner;
import io.tunnelplane.control.runtime.ApplyResult;
import io.tunnelplane.control.runtime.LiveSession;
import io.tunnelplane.control.runtime.ProxyDefinition;
import io.tunnelplane.control.runtime.TunnelRuntime;
import io.tunnelplane.protocol.DisconnectCause;
import io.tunnelplane.protocol.control.ProxySpec;
import io.tunnelplane.server.client.StoredClientDirectory;
import io.tunnelplane.server.config.PortRange;
import io.tunnelplane.server.config.TunnelServerProperties;
import io.tunnelplane.server.proxy.ProxyListener;
import io.tunnelplane.server.proxy.ProxyListeners;
import io.tunnelplane.server.tls.ServerIdentity;
import io.tunnelplane.server.vhost.BasicAuthChecks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/**
 * The engine's side of the control plane's port: live state from the session registry, and proxy changes applied
 * to a live session on its own event loop (the calling web thread waits, bounded).
 */
@Component
public class EngineRuntime implements TunnelRuntime {
    private static final Duration APPLY_TIMEOUT = Duration.ofSeconds(5);

    private final SessionRegistry registry;
    private final ProxyListeners proxyListeners;
    private final PortRange allowed;
    private final String allowedText;
    private final ServerIdentity identity;
    private final TunnelServerProperties.Vhost vhost;
    private final BasicAuthChecks basicAuth;

    public EngineRuntime(SessionRegistry registry, ProxyListeners proxyListeners, TunnelServerProperties properties,
            ServerIdentity identity, BasicAuthChecks basicAuth) {
        this.basicAuth = basicAuth;
        this.identity = identity;
        this.vhost = properties.vhost();
        this.registry = registry;
        this.proxyListeners = proxyListeners;
        this.allowed = properties.allowedPorts();
        this.allowedText = properties.allowPorts();
    }

    @Override
    public Optional<LiveSession> session(String clientName) {
        return registry.find(clientName).filter(s -> s.cause() == null).map(s -> {
            Map<Long, Boolean> listening = new HashMap<>();
            for (ProxySpec proxy : s.proxies()) {
                ProxyListener listener = s.listeners().get(proxy.id());
                listening.put(proxy.id(), listener != null && listener.listening());
            }
            return new LiveSession(s.sessionId(), s.connectedAt(), String.valueOf(s.remoteAddress()), s.lastRtt(),
                    s.info().agentVersion(), s.info().host().os(), s.info().host().jvm(), s.info().host().hostname(),
                    listening, s.localProblems(), new LiveSession.Keepalive(s.info().askedKeepaliveTimeMillis(),
                            s.info().askedKeepaliveTimeoutMillis(), s.info().keepalive().time().toMillis(),
                            s.info().keepalive().timeout().toMillis()), s.host());
        });
    }

    @Override
    public ApplyResult apply(String clientName, List<ProxyDefinition> enabled) {
        basicAuth.update(enabled);
        Optional<AgentSession> found = registry.find(clientName).filter(s -> s.cause() == null);
        if (found.isEmpty()) {
            return ApplyResult.OFFLINE;
        }
        AgentSession session = found.get();
        List<ProxySpec> wanted = enabled.stream().map(StoredClientDirectory::spec).toList();
        CompletableFuture<ApplyResult> result = new CompletableFuture<>();
        session.eventLoop().execute(() -> {
            session.controlPlaneApplied();
            applyOnLoop(session, wanted, result);
        });
        try {
            return result.get(APPLY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return new ApplyResult(true, Map.of(-1L, "the engine did not apply the change within " + APPLY_TIMEOUT));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ApplyResult(true, Map.of(-1L, "interrupted"));
        } catch (ExecutionException e) {
            return new ApplyResult(true, Map.of(-1L, String.valueOf(e.getCause().getMessage())));
        }
    }

    /**
     * Applies {@code wanted}, read after the session started, if it differs from what the session serves and no
     * change has reached the session since: such a change carried a list at least as new as this one.
     */
    void catchUp(AgentSession session, List<ProxySpec> wanted) {
        session.eventLoop().execute(() -> {
            if (session.cause() == null && session.channel().isActive() && !session.wasControlPlaneApplied()
                    && !wanted.equals(session.proxies())) {
                applyOnLoop(session, wanted, new CompletableFuture<>());
            }
        });
    }

    /**
     * Closes listeners that are gone or move to another port, binds the new ones, and tells the agent. If a bind
     * fails, the new listeners are closed and the previous ones reopened, so the session keeps what it had.
     */
    private void applyOnLoop(AgentSession session, List<ProxySpec> wanted, CompletableFuture<ApplyResult> result) {
        Map<Long, ProxySpec> before = session.proxies().stream()
                .collect(Collectors.toMap(ProxySpec::id, Function.identity()));
        Map<Long, ProxySpec> after = wanted.stream().collect(Collectors.toMap(ProxySpec::id, Function.identity(),
                (a, b) -> a, LinkedHashMap::new));
        List<ProxySpec> toClose = before.values().stream().filter(old -> !samePort(old, after.get(old.id()))).toList();
        List<ProxySpec> toOpen = after.values().stream().filter(now -> !samePort(before.get(now.id()), now)).toList();

        whenAll(session, toClose.stream().map(p -> session.removeListener(p.id())).toList()).addListener(closed ->
                PortRelease.afterRelease(session.eventLoop(), () -> openAndConfirm(session, wanted, toClose, toOpen,
                        result)));
    }

    private void openAndConfirm(AgentSession session, List<ProxySpec> wanted, List<ProxySpec> toClose,
            List<ProxySpec> toOpen, CompletableFuture<ApplyResult> result) {
        Map<Long, Future<ProxyListener>> opening = new LinkedHashMap<>();
        for (ProxySpec proxy : toOpen) {
            opening.put(proxy.id(), proxyListeners.open(session, proxy));
        }
        whenAll(session, new ArrayList<>(opening.values())).addListener(opened -> {
            Map<Long, String> failures = new LinkedHashMap<>();
            opening.forEach((id, future) -> {
                if (!future.isSuccess()) {
                    failures.put(id, future.cause().getMessage());
                }
            });
            if (failures.isEmpty()) {
                session.pushProxies(wanted);
                result.complete(new ApplyResult(true, Map.of()));
                return;
            }
            opening.forEach((id, future) -> {
                if (future.isSuccess()) {
                    session.removeListener(id);
                }
            });
            toClose.forEach(previous -> proxyListeners.open(session, previous));
            result.complete(new ApplyResult(true, failures));
        });
    }

    /** Whether {@code b} is reached where {@code a} was: same port, or same host names and paths. */
    private static boolean samePort(ProxySpec a, ProxySpec b) {
        return a != null && b != null && a.type().equals(b.type()) && a.remotePort() == b.remotePort()
                && a.domains().equals(b.domains()) && a.locations().equals(b.locations())
                && a.hostRewrite().equals(b.hostRewrite());
    }

    private static Future<Void> whenAll(AgentSession session, List<? extends Future<?>> futures) {
        PromiseCombiner combiner = new PromiseCombiner(session.eventLoop());
        futures.forEach(f -> combiner.add((Future) f));
        io.netty.util.concurrent.Promise<Void> all = session.eventLoop().newPromise();
        combiner.finish(all);
        return all;
    }

    @Override
    public boolean disconnect(String clientName, String cause) {
        return registry.disconnect(clientName, DisconnectCause.fromWire(cause));
    }

    @Override
    public boolean portAllowed(int port) {
        return allowed.contains(port);
    }

    @Override
    public String allowedPorts() {
        return allowedText;
    }

    @Override
    public Optional<String> serverKeyPin() {
        return identity.pin();
    }

    @Override
    public int virtualHostPort(String type) {
        return ProxySpec.HTTP.equals(type) ? vhost.httpPort() : ProxySpec.HTTPS.equals(type) ? vhost.httpsPort() : 0;
    }

    @Override
    public Optional<String> subdomainHost() {
        return Optional.ofNullable(vhost.subdomainHost()).filter(h -> !h.isBlank()).map(h -> h.strip().toLowerCase());
    }

    @Override
    public List<String> allowedDomains() {
        return vhost.allowedDomains().stream().map(d -> d.strip().toLowerCase()).filter(d -> !d.isEmpty()).toList();
    }
}
