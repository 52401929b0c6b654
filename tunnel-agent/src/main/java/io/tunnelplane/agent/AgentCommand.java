package io.tunnelplane.agent;

import io.tunnelplane.protocol.config.ClosestName;
import io.tunnelplane.protocol.handshake.AgentToken;
import io.tunnelplane.protocol.handshake.Login;
import io.tunnelplane.protocol.transport.LeakSampling;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Command line of the agent. Each setting comes from, in order of precedence: a flag, an environment variable,
 * the {@code --config} properties file, the default. Exit codes are in {@link ExitCode}.
 */
@Command(name = "tunnel-agent", mixinStandardHelpOptions = true, versionProvider = AgentCommand.Version.class,
        sortOptions = false, subcommands = DoctorCommand.class,
        description = "Connects this host to a tunnel server and serves the proxies the server assigns to it.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:stopped cleanly",
            "2:bad arguments or configuration, or an incompatible server",
            "3:the server refused the token",
            "4:the server could not be verified (key pin mismatch, untrusted certificate, or no TLS)"})
public final class AgentCommand implements Callable<Integer> {

    @Option(names = "--server", paramLabel = "HOST:PORT",
            description = "Server agent address; several servers (cluster nodes) comma-separated, a:7000,b:7000 "
                    + "(env TUNNEL_SERVER, config key server).")
    String server;

    @Option(names = "--connections", paramLabel = "N",
            description = "Sessions kept open at once, spread over the servers, each with its own TCP, TLS and "
                    + "keepalive: one path dying leaves the others serving (env TUNNEL_CONNECTIONS, config key "
                    + "connections). Default: 2, at most 8.")
    private String connections;

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "Client token <client>.<secret> (env TUNNEL_TOKEN, config key token).")
    String token;

    /** Every key a --config file may hold: each one is read by resolve(). */
    static final List<String> CONFIG_KEYS = List.of("server", "connections", "token", "reconnect-max-delay",
            "keepalive-time", "keepalive-timeout", "host-report-interval", "server-pin", "server-ca", "tls-certificate",
            "tls-key", "insecure");

    @Option(names = "--config", paramLabel = "FILE",
            description = "Properties file with any of: server, connections, token, reconnect-max-delay, "
                    + "keepalive-time, keepalive-timeout, host-report-interval, server-pin, server-ca, "
                    + "tls-certificate, tls-key, insecure. An unknown key stops the agent (exit 2).")
    Path config;

    @Option(names = "--reconnect-max-delay", paramLabel = "DURATION",
            description = "Cap of the reconnect backoff, e.g. 30s (env TUNNEL_RECONNECT_MAX_DELAY). Default: 30s.")
    String reconnectMaxDelay;

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Serve the agent's own metrics at http://<metrics-address>:PORT/metrics (Prometheus).")
    Integer metricsPort;

    @Option(names = "--metrics-address", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address of the metrics endpoint. Default: ${DEFAULT-VALUE}.")
    String metricsAddress;

    @Option(names = "--keepalive-time", paramLabel = "DURATION",
            description = "Ask the server for this probe interval instead of its default, e.g. 10s.")
    String keepaliveTime;

    @Option(names = "--keepalive-timeout", paramLabel = "DURATION",
            description = "Ask the server for this probe timeout instead of its default, e.g. 10s.")
    String keepaliveTimeout;

    @Option(names = "--server-pin", paramLabel = "PIN",
            description = "The server's TLS key pin, when the token does not carry one (env TUNNEL_SERVER_PIN).")
    String serverPin;

    @Option(names = "--server-ca", paramLabel = "FILE",
            description = "PEM file of CAs that sign the server's certificate, instead of the JVM's trusted CAs; "
                    + "the certificate must name the --server host (env TUNNEL_SERVER_CA).")
    String serverCa;

    @Option(names = "--tls-certificate", paramLabel = "FILE",
            description = "This agent's certificate chain (PEM), for servers that require mutual TLS.")
    String tlsCertificate;

    @Option(names = "--tls-key", paramLabel = "FILE",
            description = "The private key (PKCS#8 PEM) of --tls-certificate.")
    String tlsKey;

    @Option(names = "--insecure",
            description = "Plain TCP to a server started with tunnel.server.tls.enabled=false. Payloads and the "
                    + "login exchange cross the network in clear; logged as a warning.")
    boolean insecure;

    @Option(names = "--host-report-interval", paramLabel = "DURATION",
            description = "How often to report this host's open files and free memory to the server. Default: 60s.")
    String hostReportInterval;

    @Spec
    CommandSpec spec;

    @Option(names = "--print-config", description = "Print the resolved settings and where each came from, then exit.")
    boolean printConfig;

    private final Map<String, String> env;
    private final Map<String, String> sources = new java.util.LinkedHashMap<>();

    public AgentCommand() {
        this(System.getenv());
    }

    AgentCommand(Map<String, String> env) {
        this.env = env;
    }

    public static void main(String[] args) {
        LeakSampling.offUnlessConfigured();
        configureLogging();
        System.exit(execute(args));
    }

    /** Runs the agent; returns its exit code. */
    public static int execute(String... args) {
        return new CommandLine(new AgentCommand())
                .setParameterExceptionHandler((ex, ignored) -> {
                    ex.getCommandLine().getErr().println("error: " + ex.getMessage());
                    ex.getCommandLine().getErr().println("Try --help for the options.");
                    return ExitCode.USAGE;
                })
                .execute(args);
    }

    @Override
    public Integer call() {
        AgentSettings settings;
        try {
            settings = resolve();
        } catch (IllegalArgumentException e) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("error: " + e.getMessage());
            err.println("Try --help for the options.");
            return ExitCode.USAGE;
        }
        if (printConfig) {
            printConfig(settings, spec.commandLine().getOut());
            return ExitCode.OK;
        }
        Agent agent = new Agent(settings);
        if (metricsPort != null) {
            try {
                AgentMetricsServer.start(metricsAddress, metricsPort, agent.metrics());
            } catch (java.io.IOException | IllegalArgumentException e) {
                spec.commandLine().getErr().println("error: --metrics-port " + metricsPort + ": " + e.getMessage());
                return ExitCode.USAGE;
            }
        }
        // SIGTERM/Ctrl-C: tell the server (agent_shutdown), close, and report a clean stop. Without halt the JVM
        // would exit with 128 + signal even though the agent stopped as asked.
        Thread hook = new Thread(() -> {
            agent.stop();
            Runtime.getRuntime().halt(ExitCode.OK);
        }, "agent-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        int code = agent.run();
        if (code != ExitCode.OK) {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        return code;
    }

    /** Resolves and validates every setting; the message names the option that is wrong. */
    AgentSettings resolve() {
        Properties file = loadConfig();
        String serverValue = pick(server, "TUNNEL_SERVER", file, "server");
        List<ServerAddress> servers = ServerAddress.parseList(serverValue);
        int connectionCount = count("--connections", pick(connections, "TUNNEL_CONNECTIONS", file, "connections"),
                AgentSettings.DEFAULT_CONNECTIONS);
        String tokenValue = pick(token, "TUNNEL_TOKEN", file, "token");
        if (tokenValue == null || tokenValue.isBlank()) {
            throw new IllegalArgumentException("--token (or TUNNEL_TOKEN) is required");
        }
        AgentToken agentToken;
        try {
            agentToken = AgentToken.parse(tokenValue);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--token: " + e.getMessage());
        }
        Duration cap = duration("--reconnect-max-delay",
                pick(reconnectMaxDelay, "TUNNEL_RECONNECT_MAX_DELAY", file, "reconnect-max-delay"), Duration.ofSeconds(30));
        if (cap.compareTo(Duration.ofMillis(100)) < 0) {
            throw new IllegalArgumentException("--reconnect-max-delay must be at least 100ms");
        }
        Duration time = duration("--keepalive-time", pick(keepaliveTime, "TUNNEL_KEEPALIVE_TIME", file,
                "keepalive-time"), null);
        Duration timeout = duration("--keepalive-timeout", pick(keepaliveTimeout, "TUNNEL_KEEPALIVE_TIMEOUT", file,
                "keepalive-timeout"), null);
        Duration hostReports = duration("--host-report-interval", pick(hostReportInterval,
                "TUNNEL_HOST_REPORT_INTERVAL", file, "host-report-interval"), AgentSettings.DEFAULT_HOST_REPORT_INTERVAL);
        if (hostReports.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("--host-report-interval must be at least 1s");
        }
        AgentTls tls = resolveTls(file, agentToken);
        Duration base = cap.compareTo(Duration.ofSeconds(1)) < 0 ? cap : Duration.ofSeconds(1);
        return new AgentSettings(servers, connectionCount, agentToken, base, cap,
                Duration.ofSeconds(60), Duration.ofSeconds(10), time, timeout, hostReports, tls);
    }

    private AgentTls resolveTls(Properties file, AgentToken agentToken) {
        String pinFlag = pick(serverPin, "TUNNEL_SERVER_PIN", file, "server-pin");
        String caValue = pick(serverCa, "TUNNEL_SERVER_CA", file, "server-ca");
        String certificate = pick(tlsCertificate, "TUNNEL_TLS_CERTIFICATE", file, "tls-certificate");
        String key = pick(tlsKey, "TUNNEL_TLS_KEY", file, "tls-key");
        boolean plain = insecure || Boolean.parseBoolean(pick(null, "TUNNEL_INSECURE", file, "insecure"));
        if (plain) {
            sources.put("tls", insecure ? "flag --insecure" : sources.get("insecure"));
        } else {
            sources.put("tls", pinFlag != null ? sources.get("server-pin") : agentToken.serverPin() != null
                    ? sources.get("token") + " (its pin)" : caValue != null ? sources.get("server-ca") : "default");
        }
        return AgentTls.resolve(plain, pinFlag, caValue, certificate, key, agentToken);
    }

    private Properties loadConfig() {
        Properties properties = new Properties();
        if (config == null) {
            return properties;
        }
        try (InputStream in = Files.newInputStream(config)) {
            properties.load(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("--config: cannot read " + config + ": " + e.getMessage());
        }
        // A misspelt key would otherwise leave its setting at the default without a word.
        for (String key : properties.stringPropertyNames()) {
            if (!CONFIG_KEYS.contains(key)) {
                throw new IllegalArgumentException("--config: " + config + ": unknown key '" + key + "'"
                        + ClosestName.among(key, CONFIG_KEYS).map(known -> ": did you mean " + known + "?")
                                .orElse(" (known keys: " + String.join(", ", CONFIG_KEYS) + ")"));
            }
        }
        return properties;
    }

    private String pick(String flag, String envName, Properties file, String key) {
        if (!CONFIG_KEYS.contains(key)) {
            // loadConfig() refuses file keys outside CONFIG_KEYS: a setting read here must be listed there.
            throw new IllegalStateException("config key " + key + " is read but not in CONFIG_KEYS");
        }
        String source;
        String value;
        if (flag != null) {
            source = "flag --" + key;
            value = flag;
        } else if (env.get(envName) != null && !env.get(envName).isBlank()) {
            source = "environment " + envName;
            value = env.get(envName);
        } else if (file.getProperty(key) != null) {
            source = "file " + config;
            value = file.getProperty(key);
        } else {
            source = "default";
            value = null;
        }
        sources.put(key, source);
        return value;
    }

    /** Prints every resolved setting and where its value came from; secrets are masked. */
    private void printConfig(AgentSettings settings, PrintWriter out) {
        out.printf("%-20s %-32s %s%n", "setting", "value", "source");
        row(out, "server", settings.servers().stream().map(ServerAddress::toString)
                .collect(Collectors.joining(",")));
        row(out, "connections", Integer.toString(settings.connections()));
        row(out, "token", settings.token().clientId() + ".****");
        row(out, "reconnect-max-delay", settings.reconnectCap().toMillis() + "ms");
        row(out, "keepalive-time", settings.keepaliveTime() == null ? "server decides at login"
                : settings.keepaliveTime().toMillis() + "ms (server may raise it)");
        row(out, "keepalive-timeout", settings.keepaliveTimeout() == null ? "server decides at login"
                : settings.keepaliveTimeout().toMillis() + "ms");
        row(out, "tls", settings.tls().describe());
        row(out, "host-report-interval", settings.hostReportInterval().toMillis() + "ms");
        out.printf("%-20s %-32s %s%n", "metrics-port", metricsPort == null ? "off" : metricsAddress + ":" + metricsPort,
                metricsPort == null ? "default" : "flag --metrics-port");
        out.flush();
    }

    private void row(PrintWriter out, String key, String value) {
        out.printf("%-20s %-32s %s%n", key, value, sources.getOrDefault(key, "default"));
    }

    /** A whole number of connections; the message names the option and the allowed range. */
    static int count(String option, String value, int fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value.strip());
            if (parsed >= 1 && parsed <= Login.MAX_CONNECTIONS) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // fall through to the error below
        }
        throw new IllegalArgumentException(option + " must be a whole number from 1 to " + Login.MAX_CONNECTIONS
                + ", got '" + value + "'");
    }

    /** Accepts {@code 500ms}, {@code 30s}, {@code 2m} or ISO-8601 ({@code PT30S}). */
    static Duration duration(String option, String value, Duration fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        String v = value.strip().toLowerCase();
        try {
            if (v.startsWith("pt") || v.startsWith("p")) {
                return Duration.parse(v.toUpperCase());
            }
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            long amount = Long.parseLong(v.substring(0, v.length() - 1));
            switch (v.charAt(v.length() - 1)) {
                case 's':
                    return Duration.ofSeconds(amount);
                case 'm':
                    return Duration.ofMinutes(amount);
                case 'h':
                    return Duration.ofHours(amount);
                default:
                    break;
            }
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            // fall through to the error below
        }
        throw new IllegalArgumentException(option + " must be a duration like 500ms, 30s or 2m, got '" + value + "'");
    }

    private static void configureLogging() {
        setDefault("org.slf4j.simpleLogger.showDateTime", "true");
        setDefault("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
        setDefault("org.slf4j.simpleLogger.showThreadName", "false");
        setDefault("org.slf4j.simpleLogger.log.io.netty", "warn");
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"tunnel-agent " + AgentVersion.current()};
        }
    }
}
