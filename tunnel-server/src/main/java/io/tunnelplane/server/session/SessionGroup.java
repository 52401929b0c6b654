package io.tunnelplane.server.session;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.PromiseCombiner;
import io.tunnelplane.protocol.DisconnectCause;
import io.tunnelplane.protocol.control.ProxySpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sessions of one client on this node, served as one: the proxies' public listeners belong to the group and
 * stay open while at least one session is up; each new visitor goes to the best live session ({@link #pick()}).
 * A session that ends takes only its own streams with it.
 *
 * <p>Group state (membership, listeners, the proxy list) changes on the group's own event loop only (the loop of
 * the session that created it); the fields other threads read are volatile or concurrent.
 */
public final class SessionGroup {
    private static final Logger log = LoggerFactory.getLogger("io.tunnelplane.proxy");

    /** Whether the group's listeners are open; a group whose last session left closes them, then retires. */
    private enum Ports { CLOSED, OPEN, CLOSING }

    private final String clientId;
    private final EventLoop loop;
    private final ProxyPorts ports;
    private final Runnable retire;
    private final List<AgentSession> sessions = new CopyOnWriteArrayList<>();
    private final Map<Long, ProxyListener> listeners = new ConcurrentHashMap<>();
    private final Map<Long, String> localProblems = new ConcurrentHashMap<>();
    private final Map<Long, AtomicInteger> visitorConnections = new ConcurrentHashMap<>();
    /** The TCP and virtual-host visitors being relayed, by proxy: the ones a rule change may end. */
    private final Map<Long, Set<Channel>> visitors = new ConcurrentHashMap<>();
    private volatile List<ProxySpec> proxies = List.of();
    private volatile int wanted = 1;
    /** Proxy lists carry versions that grow across groups too, so an agent never takes an older list for newer. */
    private long version = System.currentTimeMillis() * 1_000;
    private long changes;
    private Ports portState = Ports.CLOSED;
    private boolean draining;
    private boolean retired;

    SessionGroup(String clientId, EventLoop loop, ProxyPorts ports, Runnable retire) {
        this.clientId = clientId;
        this.loop = loop;
        this.ports = ports;
        this.retire = retire;
    }

    public String clientId() {
        return clientId;
    }

    /** Where the group's state changes and its TCP listeners accept. */
    public EventLoop eventLoop() {
        return loop;
    }

    /** Every session of the group, ending ones included until they have left. */
    public List<AgentSession> sessions() {
        return List.copyOf(sessions);
    }

    /** Sessions that are up and not ending. */
    public List<AgentSession> live() {
        return sessions.stream().filter(AgentSession::isLive).toList();
    }

    /** How many sessions the agent keeps (its {@code --connections}, from its latest login). */
    public int wanted() {
        return wanted;
    }

    public GroupState state() {
        int live = live().size();
        return live == 0 ? GroupState.OFFLINE : live >= wanted ? GroupState.HEALTHY : GroupState.DEGRADED;
    }

    /** The proxies the group serves, as last sent to the agent. */
    public List<ProxySpec> proxies() {
        return proxies;
    }

    /** True when every proxy of the group has its public listener (port or virtual-host route) open here. */
    public boolean allListening() {
        return proxies.stream().allMatch(proxy -> listeners.containsKey(proxy.id()));
    }

    public Map<Long, ProxyListener> listeners() {
        return listeners;
    }

    /** Proxy id to why its local service is unreachable, as last reported by the agent. */
    public Map<Long, String> localProblems() {
        return Map.copyOf(localProblems);
    }

    void localStatus(long proxyId, String problem) {
        if (problem == null) {
            localProblems.remove(proxyId);
        } else {
            localProblems.put(proxyId, problem);
        }
    }

    /** Open visitor connections of a proxy of this group, over all its sessions. */
    public AtomicInteger visitorConnections(long proxyId) {
        return visitorConnections.computeIfAbsent(proxyId, id -> new AtomicInteger());
    }

    /** Keeps {@code visitor} among the proxy's relayed visitors until it closes. */
    public void track(long proxyId, Channel visitor) {
        Set<Channel> open = visitors.computeIfAbsent(proxyId, id -> ConcurrentHashMap.newKeySet());
        open.add(visitor);
        visitor.closeFuture().addListener(closed -> open.remove(visitor));
    }

    /** The proxy's visitors being relayed now. */
    public List<Channel> visitors(long proxyId) {
        Set<Channel> open = visitors.get(proxyId);
        return open == null ? List.of() : List.copyOf(open);
    }

    /**
     * The session a new visitor should ride on: a live one whose keepalive probe is not overdue, with the fewest
     * active streams; when every probe is overdue, the one heard from most recently. Null when none is live.
     */
    public AgentSession pick() {
        AgentSession best = null;
        boolean bestOverdue = true;
        for (AgentSession session : sessions) {
            if (!session.isLive() || session.isDraining()) {
                continue;
            }
            boolean overdue = session.probeOverdue();
            if (best == null || bestOverdue && !overdue || overdue == bestOverdue && (overdue
                    ? session.silenceNanos() < best.silenceNanos()
                    : session.activeStreams() < best.activeStreams())) {
                best = session;
                bestOverdue = overdue;
            }
        }
        return best;
    }

    /**
     * Registers the listener of one proxy once it is open, on the group's loop ({@link ProxyPorts} calls it);
     * false when the group no longer wants it: its sessions left while a port was binding (an agent that
     * reconnected at once), so the caller closes it. Kept anyway, it would hold the port for a group that no
     * longer serves it.
     */
    public boolean adopt(ProxySpec spec, ProxyListener listener) {
        if (retired || portState != Ports.OPEN) {
            return false;
        }
        listeners.put(spec.id(), listener);
        return true;
    }

    /**
     * A session logged in. It replaces its own predecessor (same connection id), and the stalest siblings beyond
     * the agent's set size; the first session of a group opens the listeners of {@code loginProxies}. Returns false
     * when the group retired meanwhile: the caller registers the session with a new group.
     */
    boolean join(AgentSession session, List<ProxySpec> loginProxies, int connections) {
        if (retired) {
            return false;
        }
        wanted = connections;
        for (AgentSession other : sessions) {
            if (other.isLive() && other.connectionId().equals(session.connectionId())) {
                other.end(DisconnectCause.REPLACED);
            }
        }
        sessions.add(session);
        List<AgentSession> others = new ArrayList<>(live());
        others.remove(session);
        // A client is held to its set size per node; a restarted agent's leftovers are the silent ones.
        others.sort(Comparator.comparingLong(AgentSession::silenceNanos).reversed());
        for (int i = 0; i < others.size() + 1 - connections; i++) {
            others.get(i).end(DisconnectCause.REPLACED);
        }
        if (portState == Ports.CLOSED) {
            proxies = List.copyOf(loginProxies);
            openAll();
        }
        return true;
    }

    /** A session ended (on the group's loop): its UDP ports move to a sibling; the last one closes everything. */
    void leave(AgentSession session) {
        if (!sessions.remove(session)) {
            return;
        }
        if (sessions.isEmpty()) {
            closeAll();
            return;
        }
        for (ProxyListener listener : List.copyOf(listeners.values())) {
            if (listener.anchor() == session && portState == Ports.OPEN && !draining) {
                listeners.remove(listener.spec().id(), listener);
                listener.close().addListener(closed -> PortRelease.afterRelease(loop, () -> {
                    if (portState == Ports.OPEN && !listeners.containsKey(listener.spec().id())
                            && proxies.contains(listener.spec())) {
                        ports.open(this, listener.spec());
                    }
                }));
            }
        }
    }

    /** Stops accepting visitors for good (drain on shutdown); relayed connections go on. */
    Future<Void> stopAccepting() {
        Promise<Void> done = loop.newPromise();
        loop.execute(() -> {
            draining = true;
            whenAll(closeListeners(List.copyOf(listeners.keySet()))).addListener(f -> done.trySuccess(null));
        });
        return done;
    }

    private void openAll() {
        if (draining) {
            return;
        }
        portState = Ports.OPEN;
        for (ProxySpec proxy : proxies) {
            ports.open(this, proxy);
        }
    }

    private void closeAll() {
        portState = Ports.CLOSING;
        whenAll(closeListeners(List.copyOf(listeners.keySet()))).addListener(closed ->
                PortRelease.afterRelease(loop, () -> {
                    portState = Ports.CLOSED;
                    if (!sessions.isEmpty()) {
                        openAll(); // a session joined while the ports were closing
                    } else {
                        retired = true;
                        retire.run();
                    }
                }));
    }

    private List<Future<Void>> closeListeners(List<Long> ids) {
        List<Future<Void>> closing = new ArrayList<>();
        for (Long id : ids) {
            ProxyListener listener = listeners.remove(id);
            if (listener != null) {
                log.info("proxy closed client={} proxy={} port={}", clientId, listener.spec().name(),
                        listener.spec().remotePort());
                closing.add(listener.close());
            }
        }
        return closing;
    }

    /** The number of control-plane changes applied so far; a login's catch-up applies only if none came since. */
    long changes() {
        return changes;
    }

    /**
     * Makes {@code wanted} the group's proxies (on the group's loop): listeners that are gone or move close, new
     * ones open, every live session's agent gets the list. If a listener cannot open, the new ones close again and
     * the previous ones reopen, so the group keeps what it had; the future names the failures by proxy id.
     */
    public Future<Map<Long, String>> apply(List<ProxySpec> wantedProxies) {
        Promise<Map<Long, String>> result = loop.newPromise();
        loop.execute(() -> {
            changes++;
            reconcile(wantedProxies, result);
        });
        return result;
    }

    /** Applies a list read after a login if no change reached the group since {@code changesSeen}. */
    void catchUp(List<ProxySpec> wantedProxies, long changesSeen) {
        loop.execute(() -> {
            if (changes == changesSeen && !wantedProxies.equals(proxies) && !sessions.isEmpty()) {
                reconcile(wantedProxies, loop.newPromise());
            }
        });
    }

    private void reconcile(List<ProxySpec> wantedProxies, Promise<Map<Long, String>> result) {
        if (portState != Ports.OPEN) {
            // No listeners to change (the group is closing): the next session opens the list it logs in with.
            proxies = List.copyOf(wantedProxies);
            result.setSuccess(Map.of());
            return;
        }
        Map<Long, ProxySpec> before = proxies.stream().collect(Collectors.toMap(ProxySpec::id, Function.identity()));
        Map<Long, ProxySpec> after = wantedProxies.stream().collect(Collectors.toMap(ProxySpec::id,
                Function.identity(), (a, b) -> a, LinkedHashMap::new));
        List<ProxySpec> toClose = before.values().stream().filter(old -> !samePort(old, after.get(old.id()))).toList();
        List<ProxySpec> toOpen = after.values().stream().filter(now -> !samePort(before.get(now.id()), now)).toList();
        whenAll(closeListeners(toClose.stream().map(ProxySpec::id).toList())).addListener(closed ->
                PortRelease.afterRelease(loop, () -> openAndConfirm(wantedProxies, toClose, toOpen, result)));
    }

    private void openAndConfirm(List<ProxySpec> wantedProxies, List<ProxySpec> toClose, List<ProxySpec> toOpen,
            Promise<Map<Long, String>> result) {
        Map<Long, Future<ProxyListener>> opening = new LinkedHashMap<>();
        for (ProxySpec proxy : toOpen) {
            opening.put(proxy.id(), ports.open(this, proxy));
        }
        whenAll(new ArrayList<>(opening.values())).addListener(opened -> {
            Map<Long, String> failures = new LinkedHashMap<>();
            opening.forEach((id, future) -> {
                if (!future.isSuccess()) {
                    failures.put(id, future.cause().getMessage());
                }
            });
            if (failures.isEmpty()) {
                proxies = List.copyOf(wantedProxies);
                pushToAgents();
                result.setSuccess(Map.of());
                return;
            }
            closeListeners(opening.entrySet().stream().filter(e -> e.getValue().isSuccess()).map(Map.Entry::getKey)
                    .toList());
            toClose.forEach(previous -> ports.open(this, previous));
            result.setSuccess(failures);
        });
    }

    /** Sends the group's list, under a new version, to every live session. */
    private void pushToAgents() {
        long pushed = ++version;
        List<ProxySpec> list = proxies;
        for (AgentSession session : live()) {
            session.eventLoop().execute(() -> session.pushProxies(pushed, list));
        }
    }

    /** Sends the current list to one session whose control stream just opened. */
    void pushTo(AgentSession session) {
        loop.execute(() -> {
            long current = version;
            List<ProxySpec> list = proxies;
            session.eventLoop().execute(() -> session.pushProxies(current, list));
        });
    }

    /** Whether {@code b} is reached where {@code a} was: same port, or same host names and paths. */
    private static boolean samePort(ProxySpec a, ProxySpec b) {
        return a != null && b != null && a.type().equals(b.type()) && a.remotePort() == b.remotePort()
                && a.domains().equals(b.domains()) && a.locations().equals(b.locations())
                && a.hostRewrite().equals(b.hostRewrite());
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Future<Void> whenAll(List<? extends Future<?>> futures) {
        PromiseCombiner combiner = new PromiseCombiner(loop);
        futures.forEach(f -> combiner.add((Future) f));
        Promise<Void> all = loop.newPromise();
        combiner.finish(all);
        return all;
    }

    /** What the API and metrics call a client's connection set. */
    public enum GroupState {
        /** Every connection the agent keeps is up. */
        HEALTHY,
        /** Some are up, some are not. */
        DEGRADED,
        /** None is up. */
        OFFLINE;

        public String wireName() {
            return name().toLowerCase();
        }
    }
}
