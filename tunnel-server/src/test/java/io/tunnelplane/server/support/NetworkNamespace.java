package io.tunnelplane.server.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A Linux network namespace joined to this host by a veth pair, for tests that need a real lossy network path: a
 * process started in it ({@link #command}) reaches the host at {@link #hostAddress()}, and packets crossing the pair
 * can be dropped by the namespace's own firewall ({@link #dropRandomly}), so the kernel's TCP really retransmits.
 * Needs root and iproute2; the test is skipped, with the reason, where it cannot be created.
 */
public final class NetworkNamespace implements AutoCloseable {
    private final String name;
    private final String hostLink;
    private final String hostAddress;
    private final String innerAddress;

    private NetworkNamespace(String name, String hostLink, String hostAddress, String innerAddress) {
        this.name = name;
        this.hostLink = hostLink;
        this.hostAddress = hostAddress;
        this.innerAddress = innerAddress;
    }

    public static NetworkNamespace create() throws Exception {
        String id = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
        int subnet = ThreadLocalRandom.current().nextInt(256);
        NetworkNamespace ns = new NetworkNamespace("tp" + id, "tpa" + id, "10.213." + subnet + ".1",
                "10.213." + subnet + ".2");
        String failure = ns.tryRun("ip", "netns", "add", ns.name);
        Assumptions.assumeTrue(failure == null, "no network namespace here (needs root and iproute2): " + failure);
        try {
            ns.run("ip", "link", "add", ns.hostLink, "type", "veth", "peer", "name", "tpb" + id);
            ns.run("ip", "link", "set", "tpb" + id, "netns", ns.name);
            ns.run("ip", "addr", "add", ns.hostAddress + "/30", "dev", ns.hostLink);
            ns.run("ip", "link", "set", ns.hostLink, "up");
            ns.inside("ip", "addr", "add", ns.innerAddress + "/30", "dev", "tpb" + id);
            ns.inside("ip", "link", "set", "tpb" + id, "up");
            ns.inside("ip", "link", "set", "lo", "up");
        } catch (Exception | AssertionError e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /** The host's end of the pair: bind the server here. */
    public String hostAddress() {
        return hostAddress;
    }

    /**
     * Drops each TCP packet entering or leaving the namespace with {@code probability} once its connection has
     * carried {@code sparedPackets} (so logins get through and what dies is a running session); where the
     * firewall cannot count a connection's packets, from the first packet on. Skips the test where the firewall's
     * random match is not available.
     */
    public void dropRandomly(double probability, int sparedPackets) throws Exception {
        for (String chain : new String[] {"INPUT", "OUTPUT"}) {
            List<String> random = List.of("-m", "statistic", "--mode", "random", "--probability",
                    Double.toString(probability), "-j", "DROP");
            List<String> counted = new ArrayList<>(List.of("ip", "netns", "exec", name, "iptables", "-A", chain,
                    "-p", "tcp", "-m", "connbytes", "--connbytes", sparedPackets + ":", "--connbytes-dir", "both",
                    "--connbytes-mode", "packets"));
            counted.addAll(random);
            if (tryRun(counted.toArray(String[]::new)) == null) {
                continue;
            }
            List<String> always = new ArrayList<>(List.of("ip", "netns", "exec", name, "iptables", "-A", chain,
                    "-p", "tcp"));
            always.addAll(random);
            String failure = tryRun(always.toArray(String[]::new));
            Assumptions.assumeTrue(failure == null, "cannot drop packets in the namespace: " + failure);
        }
    }

    /** {@code command} run inside the namespace. */
    public List<String> command(String... command) {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", name));
        all.addAll(List.of(command));
        return all;
    }

    private void inside(String... command) throws Exception {
        run(command(command).toArray(String[]::new));
    }

    private void run(String... command) throws Exception {
        String failure = tryRun(command);
        if (failure != null) {
            throw new IllegalStateException(String.join(" ", command) + ": " + failure);
        }
    }

    /** Null when {@code command} succeeded, else what it said. */
    private String tryRun(String... command) throws InterruptedException {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return "timed out";
            }
            return process.exitValue() == 0 ? null : "exit " + process.exitValue() + ": " + output;
        } catch (IOException e) {
            return e.getMessage();
        }
    }

    @Override
    public void close() throws Exception {
        tryRun("ip", "netns", "del", name); // takes its end of the pair, and so the pair, with it
        tryRun("ip", "link", "del", hostLink);
    }
}
