package io.tunnelplane.server.admission;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tunnelplane.server.config.TunnelServerProperties;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Defends the agent port before login: bounds unauthenticated connections (in all and per address) and locks out
 * addresses and client names after repeated failed logins, for exponentially longer periods. A locked client name
 * still logs in from an address it logged in from before, so an attacker guessing a client's token cannot lock
 * the real agent out. Bookkeeping is bounded: beyond {@link #MAX_TRACKED} entries new failures are counted in
 * metrics but not remembered.
 */
@Component
public class LoginGuard {
    static final int MAX_TRACKED = 100_000;
    private static final int KNOWN_ADDRESSES_PER_CLIENT = 16;

    /** What happened to a new connection. */
    public enum Admission { ADMITTED, LOCKED_OUT, TOO_MANY_PENDING }

    private final TunnelServerProperties.Login settings;
    private final LongSupplier nanoTime;
    private final AtomicInteger pending = new AtomicInteger();
    private final Map<InetAddress, AtomicInteger> pendingByAddress = new ConcurrentHashMap<>();
    private final Map<InetAddress, Failures> addressFailures = new ConcurrentHashMap<>();
    private final Map<String, Failures> clientFailures = new ConcurrentHashMap<>();
    private final Map<String, Set<InetAddress>> knownAddresses = new ConcurrentHashMap<>();
    private final AtomicBoolean saturated = new AtomicBoolean();
    private volatile Consumer<Boolean> saturation = full -> { };

    @Autowired
    public LoginGuard(TunnelServerProperties properties, MeterRegistry registry) {
        this(properties.login(), System::nanoTime);
        Gauge.builder("tunnel.logins.pending", pending, AtomicInteger::get)
                .description("Connections on the agent port that have not logged in yet").register(registry);
        Gauge.builder("tunnel.logins.locked", this, LoginGuard::lockedNow)
                .description("Addresses and client names locked out after failed logins").register(registry);
    }

    LoginGuard(TunnelServerProperties.Login settings, LongSupplier nanoTime) {
        this.settings = settings;
        this.nanoTime = nanoTime;
    }

    /**
     * Admits a new unauthenticated connection, or says why not ({@link Ticket#admission()}). An admitted one holds
     * a slot until {@link Ticket#release()}.
     */
    public Ticket admit(InetAddress address) {
        if (isLocked(addressFailures.get(address))) {
            return new Ticket(Admission.LOCKED_OUT, address, null);
        }
        AtomicInteger fromAddress = pendingByAddress.computeIfAbsent(address, a -> new AtomicInteger());
        int now = pending.incrementAndGet();
        if (now > settings.maxPending() | fromAddress.incrementAndGet() > settings.maxPendingPerAddress()) {
            release(address, fromAddress);
            return new Ticket(Admission.TOO_MANY_PENDING, address, null);
        }
        if (now >= settings.maxPending() && saturated.compareAndSet(false, true)) {
            saturation.accept(true);
        }
        return new Ticket(Admission.ADMITTED, address, fromAddress);
    }

    /**
     * Told {@code true} when the unauthenticated connections reach {@code max-pending} and {@code false} once they
     * are down to nine tenths of it: the agent port stops accepting meanwhile, so a reconnecting fleet waits in
     * the kernel's accept queue and logs in at the pace the server can verify, instead of being reset and
     * backing off (only connections beyond a single address's share are still reset).
     */
    public void whenSaturated(Consumer<Boolean> listener) {
        this.saturation = listener;
    }

    private void release(InetAddress address, AtomicInteger fromAddress) {
        int now = pending.decrementAndGet();
        if (fromAddress.decrementAndGet() <= 0) {
            pendingByAddress.remove(address, fromAddress);
        }
        int resumeAt = settings.maxPending() - Math.max(1, settings.maxPending() / 10);
        if (now <= resumeAt && saturated.compareAndSet(true, false)) {
            saturation.accept(false);
        }
    }

    /** Whether logins for {@code client} from {@code address} are refused without looking at the proof. */
    public boolean isLockedOut(String client, InetAddress address) {
        if (!isLocked(clientFailures.get(client))) {
            return false;
        }
        Set<InetAddress> known = knownAddresses.get(client);
        return known == null || !known.contains(address);
    }

    /** A failed login: both the address and the client name move towards (or further into) a lockout. */
    public void failed(InetAddress address, String client) {
        record(addressFailures, address);
        record(clientFailures, client);
    }

    /**
     * A good login clears the address and remembers it as the client's. A lockout of the client name stays: the
     * attack may go on, and this address is let through anyway.
     */
    public void succeeded(InetAddress address, String client) {
        addressFailures.remove(address);
        Set<InetAddress> known = knownAddresses.computeIfAbsent(client, c -> ConcurrentHashMap.newKeySet());
        if (known.size() >= KNOWN_ADDRESSES_PER_CLIENT && !known.contains(address)) {
            known.clear(); // keep the most recent ones, roughly; an agent that moved often logs in anyway
        }
        known.add(address);
    }

    /** Until when {@code address} is locked out, for the log line; zero when it is not. */
    public Duration lockedFor(InetAddress address) {
        Failures failures = addressFailures.get(address);
        return failures == null || !isLocked(failures) ? Duration.ZERO
                : Duration.ofNanos(failures.lockedUntil - nanoTime.getAsLong());
    }

    public int failureCount(InetAddress address) {
        Failures failures = addressFailures.get(address);
        return failures == null ? 0 : failures.count;
    }

    private <K> void record(Map<K, Failures> map, K key) {
        if (map.size() >= MAX_TRACKED && !map.containsKey(key)) {
            return;
        }
        map.compute(key, (k, previous) -> {
            int count = previous == null ? 1 : previous.count + 1;
            long now = nanoTime.getAsLong();
            long lockedUntil = previous == null ? 0 : previous.lockedUntil;
            int beyond = count - settings.failuresBeforeLockout();
            if (beyond >= 0) {
                long base = settings.lockoutBase().toNanos();
                long lock = Math.min(settings.lockoutMax().toNanos(), base << Math.min(beyond, 30));
                lockedUntil = now + lock;
            }
            return new Failures(count, lockedUntil, now);
        });
    }

    private boolean isLocked(Failures failures) {
        return failures != null && failures.lockedUntil != 0 && failures.lockedUntil - nanoTime.getAsLong() > 0;
    }

    private double lockedNow() {
        return addressFailures.values().stream().filter(this::isLocked).count()
                + clientFailures.values().stream().filter(this::isLocked).count();
    }

    /** Forgets failures that are neither locking anything nor recent. */
    @Scheduled(fixedDelay = 60_000)
    public void prune() {
        long now = nanoTime.getAsLong();
        long forget = settings.lockoutMax().toNanos();
        addressFailures.values().removeIf(f -> !isLocked(f) && now - f.lastFailure > forget);
        clientFailures.values().removeIf(f -> !isLocked(f) && now - f.lastFailure > forget);
    }

    int tracked() {
        return addressFailures.size() + clientFailures.size();
    }

    private record Failures(int count, long lockedUntil, long lastFailure) {
    }

    /** One admitted unauthenticated connection's slot; released once, when it logs in or closes. */
    public final class Ticket {
        private final Admission admission;
        private final InetAddress address;
        private final AtomicInteger fromAddress;
        private final AtomicBoolean released = new AtomicBoolean();

        private Ticket(Admission admission, InetAddress address, AtomicInteger fromAddress) {
            this.admission = admission;
            this.address = address;
            this.fromAddress = fromAddress;
        }

        public Admission admission() {
            return admission;
        }

        public InetAddress address() {
            return address;
        }

        public void release() {
            if (fromAddress != null && released.compareAndSet(false, true)) {
                LoginGuard.this.release(address, fromAddress);
            }
        }
    }
}
