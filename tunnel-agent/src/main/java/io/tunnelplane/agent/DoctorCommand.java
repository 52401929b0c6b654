package io.tunnelplane.agent;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.tunnelplane.protocol.ProtocolVersion;
import io.tunnelplane.protocol.handshake.AgentHost;
import io.tunnelplane.protocol.handshake.AgentToken;
import io.tunnelplane.protocol.handshake.HandshakeCodec;
import io.tunnelplane.protocol.handshake.HandshakeMessage;
import io.tunnelplane.protocol.handshake.Login;
import io.tunnelplane.protocol.handshake.LoginAccepted;
import io.tunnelplane.protocol.handshake.LoginRefused;
import io.tunnelplane.protocol.handshake.ServerHello;
import io.tunnelplane.protocol.handshake.TokenProof;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tunnel-agent doctor}: checks the path to the server step by step — DNS, TCP, protocol, clock, login —
 * and this host's limits and kernel TCP timers, without starting a session (a running agent of the same client is not disturbed), and with
 * {@code --probe-idle} measures how long the path keeps an idle connection, then recommends keepalive settings.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Checks DNS, TCP, protocol, clock and login against the server, optionally the path's idle "
                + "timeout, and recommends keepalive settings. Starts no session.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every check passed", "1:a check failed", "2:bad arguments", "3:the token was refused",
            "4:the server could not be verified (key pin, certificate, or no TLS)"})
public final class DoctorCommand implements Callable<Integer> {
    private static final Duration MAX_CLOCK_SKEW = Duration.ofSeconds(5);

    @Spec
    CommandSpec spec;

    @Option(names = "--server", paramLabel = "HOST:PORT", description = "Server agent address (env TUNNEL_SERVER).")
    String server;

    @Option(names = "--token", paramLabel = "TOKEN", description = "Client token (env TUNNEL_TOKEN).")
    String token;

    @Option(names = "--server-pin", paramLabel = "PIN",
            description = "The server's TLS key pin, when the token does not carry one (env TUNNEL_SERVER_PIN).")
    String serverPin;

    @Option(names = "--server-ca", paramLabel = "FILE",
            description = "PEM file of CAs that sign the server's certificate (env TUNNEL_SERVER_CA).")
    String serverCa;

    @Option(names = "--insecure", description = "The server's agent port is plain TCP (tls.enabled=false).")
    boolean insecure;

    @Option(names = "--probe-idle", description = "Also measure how long the path keeps an idle connection open "
            + "(holds connections idle for growing periods, up to --idle-max).")
    boolean probeIdle;

    @Option(names = "--idle-periods", split = ",", paramLabel = "DURATION",
            description = "Idle periods to try with --probe-idle. Default: 15s,30s,60s,120s,240s,480s.")
    List<String> idlePeriods;

    private final Map<String, String> env;

    public DoctorCommand() {
        this(System.getenv());
    }

    DoctorCommand(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        String serverValue = server != null ? server : env.get("TUNNEL_SERVER");
        String tokenValue = token != null ? token : env.get("TUNNEL_TOKEN");
        ServerAddress first;
        AgentToken agentToken;
        AgentTls tls;
        List<Duration> periods = new ArrayList<>();
        try {
            first = ServerAddress.parseList(serverValue).get(0); // the first server of a list
            agentToken = AgentToken.parse(tokenValue);
            tls = AgentTls.resolve(insecure, serverPin != null ? serverPin : env.get("TUNNEL_SERVER_PIN"),
                    serverCa != null ? serverCa : env.get("TUNNEL_SERVER_CA"), null, null, agentToken);
            for (String p : idlePeriods == null ? List.of("15s", "30s", "60s", "120s", "240s", "480s") : idlePeriods) {
                periods.add(AgentCommand.duration("--idle-periods", p, null));
            }
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("error: " + e.getMessage());
            return ExitCode.USAGE;
        }
        String host = first.host();
        int port = first.port();

        long start = System.nanoTime();
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (IOException e) {
            line(out, "DNS", "FAILED: " + host + " does not resolve (" + e.getMessage() + ")");
            return 1;
        }
        line(out, "DNS", host + " -> " + Arrays.stream(addresses).map(InetAddress::getHostAddress).toList()
                + " in " + millis(System.nanoTime() - start));

        InetSocketAddress target = new InetSocketAddress(addresses[0], port);
        long[] connects = new long[3];
        try {
            for (int i = 0; i < connects.length; i++) {
                long t0 = System.nanoTime();
                try (Socket socket = new Socket()) {
                    socket.connect(target, 5_000);
                    connects[i] = System.nanoTime() - t0;
                }
            }
        } catch (IOException e) {
            line(out, "TCP", "FAILED: cannot connect to " + target + ": " + e.getMessage()
                    + " (firewall, wrong port, or the server is down)");
            return 1;
        }
        line(out, "TCP", "connected to " + target + ", best of 3 in " + millis(Arrays.stream(connects).min()
                .orElse(0)) + " (about one round trip)");

        Probe probe;
        try {
            probe = Probe.login(new Target(target, host, tls), agentToken, 0);
        } catch (IOException | RuntimeException e) {
            String untrusted = TlsFailures.explain(e);
            if (untrusted != null) {
                line(out, "TLS", "FAILED: " + untrusted);
                return ExitCode.SERVER_UNTRUSTED;
            }
            line(out, "PROTOCOL", "FAILED: " + e.getMessage() + " (is this the agent port of a tunnel server?)");
            return 1;
        }
        line(out, "TLS", probe.tls == null ? "OFF (--insecure): the login exchange and payloads cross the network in "
                + "clear" : probe.tls + "; " + tls.describe());
        line(out, "PROTOCOL", "server " + probe.hello.serverVersion() + " speaks protocol "
                + probe.hello.protocolVersion() + ", this agent " + ProtocolVersion.CURRENT
                + (probe.hello.protocolVersion() == ProtocolVersion.CURRENT ? ": ok" : ": MISMATCH, upgrade"));
        long skew = probe.hello.serverTimeMillis() - probe.localTimeAtHello;
        line(out, "CLOCK", "server clock differs by " + (skew >= 0 ? "+" : "") + skew + " ms"
                + (Math.abs(skew) > MAX_CLOCK_SKEW.toMillis() ? ": fix NTP on one side, event times will not line up"
                : ": ok"));
        if (probe.refused != null) {
            line(out, "LOGIN", "REFUSED: " + probe.refused.message() + " (" + probe.refused.code() + ")");
            return LoginRefused.AUTH_FAILED.equals(probe.refused.code()) ? ExitCode.AUTH_REFUSED : 1;
        }
        if (!probe.serverProven) {
            line(out, "LOGIN", "FAILED: the server accepted but could not prove it knows the token: not our server");
            return ExitCode.AUTH_REFUSED;
        }
        line(out, "LOGIN", "token accepted for client " + agentToken.clientId() + " in "
                + millis(probe.loginNanos) + "; the server proved it knows the token too");
        Duration serverTime = Duration.ofMillis(probe.accepted.keepaliveTimeMillis());
        line(out, "KEEPALIVE", "server default keepalive time " + serverTime.toSeconds() + " s, timeout "
                + probe.accepted.keepaliveTimeoutMillis() / 1000 + " s");
        line(out, "HOST", HostChecks.limits(HostResources.read()));
        line(out, "KERNEL", HostChecks.KernelTcp.read(Path.of("/proc/sys")).advice(serverTime));

        if (probeIdle) {
            line(out, "RECOMMEND", recommend(probeIdle(out, new Target(target, host, tls), agentToken, periods), periods,
                    serverTime));
        }
        out.flush();
        return 0;
    }

    /** Holds one idle connection per period, all at once; returns which periods survived, in order. */
    private static List<Boolean> probeIdle(PrintWriter out, Target target, AgentToken token,
            List<Duration> periods) {
        line(out, "IDLE", "holding " + periods.size() + " idle connections for up to "
                + periods.get(periods.size() - 1).toSeconds() + " s...");
        List<CompletableFuture<Boolean>> results = periods.stream().map(p -> CompletableFuture.supplyAsync(() -> {
            try {
                return Probe.holdIdle(target, token, p);
            } catch (IOException | RuntimeException e) {
                return false;
            }
        })).toList();
        List<Boolean> survived = new ArrayList<>();
        for (int i = 0; i < periods.size(); i++) {
            boolean ok = results.get(i).join();
            survived.add(ok);
            line(out, "IDLE", "idle " + periods.get(i).toSeconds() + " s: " + (ok ? "survived" : "DROPPED"));
        }
        return survived;
    }

    /**
     * Keepalive advice from the idle probe: the idle limit lies between the longest period that survived below the
     * first one that died and that one; probe at most half as far apart as the first idle period that died.
     */
    static String recommend(List<Boolean> survived, List<Duration> periods, Duration serverTime) {
        Duration firstDropped = null;
        for (int i = 0; i < periods.size(); i++) {
            if (!survived.get(i) && (firstDropped == null || periods.get(i).compareTo(firstDropped) < 0)) {
                firstDropped = periods.get(i);
            }
        }
        Duration lastSurvived = null;
        for (int i = 0; i < periods.size(); i++) {
            if (survived.get(i) && (firstDropped == null || periods.get(i).compareTo(firstDropped) < 0)
                    && (lastSurvived == null || periods.get(i).compareTo(lastSurvived) > 0)) {
                lastSurvived = periods.get(i);
            }
        }
        if (firstDropped == null) {
            Duration longest = periods.stream().max(Duration::compareTo).orElse(Duration.ZERO);
            return "no idle drop up to " + longest.toSeconds() + " s: the server's keepalive time ("
                    + serverTime.toSeconds() + " s) is " + (serverTime.compareTo(longest) <= 0 ? "safe on this path"
                    : "longer than anything tested; try --idle-periods up to " + serverTime.toSeconds() + "s");
        }
        Duration advice = firstDropped.dividedBy(2);
        String limit = "the path drops idle connections after less than " + firstDropped.toSeconds() + " s"
                + (lastSurvived == null ? "" : " (idle " + lastSurvived.toSeconds() + " s survived)");
        if (advice.compareTo(serverTime) >= 0) {
            return limit + "; the server's keepalive time (" + serverTime.toSeconds() + " s) already beats it";
        }
        return limit + ": run the agent with --keepalive-time " + Math.max(1, advice.toSeconds()) + "s";
    }

    private static void line(PrintWriter out, String check, String text) {
        out.printf("%-10s %s%n", check, text);
        out.flush();
    }

    private static String millis(long nanos) {
        return String.format("%.1f ms", nanos / 1e6);
    }

    /** Where the probes go and how the server is verified. */
    private record Target(InetSocketAddress address, String host, AgentTls tls) {
        Socket connect() throws IOException {
            Socket socket = new Socket();
            try {
                socket.connect(address, 5_000);
                socket.setSoTimeout(10_000);
                return tls.enabled() ? tls.wrap(socket, host, address.getPort()) : socket;
            } catch (IOException | RuntimeException e) {
                socket.close();
                throw e;
            }
        }
    }

    /** One diagnostic login over the agent port, speaking the handshake frames directly. */
    private static final class Probe {
        String tls;
        ServerHello hello;
        long localTimeAtHello;
        LoginAccepted accepted;
        LoginRefused refused;
        boolean serverProven;
        long loginNanos;

        static Probe login(Target target, AgentToken token, int extraFlags) throws IOException {
            try (Socket socket = target.connect()) {
                Probe probe = handshake(socket, token, Login.PROBE | extraFlags);
                if (socket instanceof javax.net.ssl.SSLSocket secure) {
                    probe.tls = secure.getSession().getProtocol() + " " + secure.getSession().getCipherSuite();
                }
                return probe;
            }
        }

        /** Logs in for an idle probe, stays silent for {@code idle}, then checks that an echo still comes back. */
        static boolean holdIdle(Target target, AgentToken token, Duration idle) throws IOException {
            try (Socket socket = target.connect()) {
                Probe probe = handshake(socket, token, Login.PROBE_IDLE);
                if (probe.accepted == null) {
                    return false;
                }
                socket.setSoTimeout((int) idle.toMillis());
                try {
                    if (socket.getInputStream().read() < 0) {
                        return false; // closed while idle
                    }
                } catch (SocketTimeoutException expected) {
                    // the idle period passed quietly: now see whether the path still carries bytes
                }
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(42);
                socket.getOutputStream().flush();
                return socket.getInputStream().read() == 42;
            } catch (IOException dropped) {
                return false;
            }
        }

        private static Probe handshake(Socket socket, AgentToken token, int flags) throws IOException {
            DataInputStream in = new DataInputStream(socket.getInputStream());
            Probe probe = new Probe();
            HandshakeMessage first = read(in);
            probe.localTimeAtHello = System.currentTimeMillis();
            if (!(first instanceof ServerHello hello)) {
                throw new IOException("expected ServerHello, got " + first.getClass().getSimpleName());
            }
            probe.hello = hello;
            byte[] agentNonce = TokenProof.newNonce();
            byte[] proof = TokenProof.agentProof(token.key(), token.clientId(), hello.nonce(), agentNonce);
            long t0 = System.nanoTime();
            write(socket, new Login(ProtocolVersion.CURRENT, token.clientId(), agentNonce, proof,
                    AgentVersion.current(), "none", 0, 0, 0, flags, AgentHost.current(), "", 1));
            HandshakeMessage answer = read(in);
            probe.loginNanos = System.nanoTime() - t0;
            if (answer instanceof LoginRefused refused) {
                probe.refused = refused;
            } else if (answer instanceof LoginAccepted accepted) {
                probe.accepted = accepted;
                probe.serverProven = TokenProof.matches(TokenProof.serverProof(token.key(), token.clientId(),
                        hello.nonce(), agentNonce), accepted.serverProof());
            }
            return probe;
        }

        private static HandshakeMessage read(DataInputStream in) throws IOException {
            int length = in.readInt();
            if (length <= 0 || length > HandshakeCodec.MAX_FRAME) {
                throw new IOException("not a tunnel handshake (frame of " + length + " bytes)");
            }
            byte[] body = new byte[length];
            in.readFully(body);
            return HandshakeCodec.decode(Unpooled.wrappedBuffer(body));
        }

        private static void write(Socket socket, HandshakeMessage message) throws IOException {
            ByteBuf frame = HandshakeCodec.encode(message, ByteBufAllocator.DEFAULT);
            try {
                byte[] bytes = new byte[frame.readableBytes()];
                frame.readBytes(bytes);
                socket.getOutputStream().write(bytes);
                socket.getOutputStream().flush();
            } finally {
                frame.release();
            }
        }
    }
}
