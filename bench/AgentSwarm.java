import io.netty.channel.EventLoopGroup;
import io.tunnelplane.agent.Agent;
import io.tunnelplane.agent.AgentSettings;
import io.tunnelplane.agent.AgentTls;
import io.tunnelplane.agent.ServerAddress;
import io.tunnelplane.protocol.handshake.AgentToken;
import io.tunnelplane.protocol.transport.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Load harness: many simulated agents in one JVM, each a real agent (TLS 1.3, login, HTTP/2 session, keepalive,
 * reconnect with backoff) sharing two event loops, one TLS context and the pooled allocator, so a simulated agent
 * costs little. Run with the agent jar on the class path:
 * <pre>
 * java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp tunnel-agent/target/tunnel-agent.jar \
 *     bench/AgentSwarm.java HOST:PORT CLIENTS CONNECTIONS PIN [NAME_PREFIX]
 * </pre>
 * Client i logs in as {@code <prefix>-i} with token {@code <prefix>-i.secret-<prefix>-i} (bench/swarm.sh
 * configures the server with those clients). Prints once a second: seconds since start, sessions up, sessions
 * wanted, and when every session is up, the time it took ({@code ALL_UP}); after every later drop, the time until
 * all were back ({@code ALL_BACK}).
 */
public class AgentSwarm {
    public static void main(String[] args) throws Exception {
        ServerAddress server = ServerAddress.parse(args[0]);
        int clients = Integer.parseInt(args[1]);
        int connections = Integer.parseInt(args[2]);
        String pin = args[3];
        String prefix = args.length > 4 ? args[4] : "swarm";
        EventLoopGroup group = Transport.best().newGroup(2, "swarm-io");
        AgentTls tls = AgentTls.pinned(pin);
        Agent.Shared shared = new Agent.Shared(group, tls.nettyContext());
        List<Agent> agents = new ArrayList<>(clients);
        long start = System.nanoTime();
        for (int i = 0; i < clients; i++) {
            String name = prefix + "-" + i;
            AgentSettings settings = new AgentSettings(List.of(server), connections,
                    AgentToken.parse(name + ".secret-" + name), Duration.ofMillis(500), Duration.ofSeconds(30),
                    Duration.ofSeconds(60), Duration.ofSeconds(10), null, null, Duration.ofMinutes(10), tls);
            Agent agent = new Agent(settings, shared);
            agents.add(agent);
            agent.start();
        }
        Runtime.getRuntime().addShutdownHook(new Thread(group::shutdownGracefully));
        int wanted = clients * connections;
        boolean allUp = false;
        long droppedAt = 0;
        while (true) {
            Thread.sleep(1_000);
            int up = 0;
            long failed = 0;
            for (Agent agent : agents) {
                up += agent.metrics().connections();
                failed += agent.metrics().failedAttempts();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("t=%.0f up=%d wanted=%d failing=%d%n", seconds, up, wanted, failed);
            if (!allUp && up >= wanted) {
                allUp = true;
                System.out.printf(droppedAt == 0 ? "ALL_UP seconds=%.1f%n" : "ALL_BACK seconds=%.1f%n",
                        (System.nanoTime() - (droppedAt == 0 ? start : droppedAt)) / 1e9);
            } else if (allUp && up < wanted) {
                allUp = false;
                droppedAt = System.nanoTime();
                System.out.println("DROPPED");
            }
        }
    }
}
