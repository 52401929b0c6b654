package io.tunnelplane.agent;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/** The optional {@code --metrics-port} endpoint: {@code GET /metrics} in the Prometheus text format. */
public final class AgentMetricsServer implements AutoCloseable {
    private final HttpServer server;

    private AgentMetricsServer(HttpServer server) {
        this.server = server;
    }

    public static AgentMetricsServer start(String address, int port, AgentMetrics metrics) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(address, port), 16);
        server.createContext("/metrics", exchange -> {
            byte[] body = metrics.prometheus().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "agent-metrics");
            t.setDaemon(true);
            return t;
        }));
        server.start();
        return new AgentMetricsServer(server);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
