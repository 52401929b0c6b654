package io.tunnelplane.server.vhost;

import static io.tunnelplane.server.support.Json.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.ssl.SslContextBuilder;
import io.tunnelplane.agent.Agent;
import io.tunnelplane.protocol.tls.KeyPin;
import io.tunnelplane.server.support.FreePorts;
import io.tunnelplane.server.support.TestAgents;
import io.tunnelplane.server.support.TestServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;

/** Shared HTTP and HTTPS ports routing by host name to proxies of different agents. */
class VirtualHostIT {

    @Test
    void twoAgentsServeTwoHostNamesOnOnePortWithWebSocketsErrorPagesAndKeepAlive() throws Exception {
        HttpServer siteA = site("site-a");
        HttpServer siteB = site("site-b");
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        Channel webSocket = webSocketEcho(group);
        Map<String, Object> props = TestServer.defaults();
        props.put("tunnel.server.vhost.http-port", FreePorts.any());
        try (TestServer server = TestServer.start(props)) {
            int port = server.bean(VirtualHostServer.class).httpPort();
            Agent a = agent(server, "alpha", siteA.getAddress().getPort(), "a.example.test", "http");
            String bToken = client(server, "beta");
            proxy(server, "beta", "site", siteB.getAddress().getPort(), "http", "b.example.test");
            proxy(server, "alpha", "ws", ((InetSocketAddress) webSocket.localAddress()).getPort(), "http",
                    "localhost");
            proxy(server, "alpha", "gone", FreePorts.any(), "http", "gone.example.test");
            Agent b = TestAgents.start(server.agentPort(), bToken, Duration.ofSeconds(1));
            try {
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                        assertThat(get(port, "b.example.test", "/")).contains("200 OK").contains("site-b"));
                String fromA = get(port, "a.example.test", "/hello?x=1");
                assertThat(fromA).contains("200 OK").contains("site-a /hello")
                        .contains("x-forwarded-for=127.0.0.1").contains("x-forwarded-host=a.example.test")
                        .contains("x-forwarded-proto=http");

                // Keep-alive: both requests on one connection reach the site, each with the proxy headers.
                try (Socket socket = new Socket("127.0.0.1", port)) {
                    socket.setSoTimeout(10_000);
                    BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                            StandardCharsets.ISO_8859_1));
                    for (int i = 0; i < 2; i++) {
                        write(socket, "GET /n" + i + " HTTP/1.1\r\nHost: a.example.test\r\n\r\n");
                        assertThat(readResponse(in)).contains("site-a /n" + i).contains("x-forwarded-for=127.0.0.1");
                    }
                }

                // A WebSocket upgrade passes through; frames flow both ways.
                List<String> echoed = new java.util.concurrent.CopyOnWriteArrayList<>();
                WebSocket routed = HttpClient.newHttpClient().newWebSocketBuilder()
                        .buildAsync(URI.create("ws://localhost:" + port + "/ws"), collector(echoed))
                        .get(10, TimeUnit.SECONDS);
                routed.sendText("through the tunnel", true).get(5, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(5)).until(() -> echoed.contains("through the tunnel"));
                routed.abort();

                assertThat(get(port, "nobody.example.test", "/")).contains("404 Not Found")
                        .contains("No site named nobody.example.test");
                assertThat(get(port, "gone.example.test", "/")).contains("502 Bad Gateway")
                        .contains("could not reach its local service");
                b.stop();
                long start = System.nanoTime();
                assertThat(get(port, "b.example.test", "/")).contains("502 Bad Gateway")
                        .contains("The agent serving b.example.test is offline");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
                assertThat(server.get("/actuator/prometheus").body())
                        .contains("tunnel_vhost_connections_total{outcome=\"404\",type=\"http\"} 1.0")
                        .containsPattern("tunnel_vhost_connections_total\\{outcome=\"routed\",type=\"http\"} [1-9]");
            } finally {
                a.stop();
                b.stop();
            }
        } finally {
            siteA.stop(0);
            siteB.stop(0);
            webSocket.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    @Test
    void httpsIsRoutedByServerNameAndTheBackendsOwnCertificateReachesTheVisitor() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        Channel tlsEcho = tlsEcho(group);
        Map<String, Object> props = TestServer.defaults();
        props.put("tunnel.server.vhost.https-port", FreePorts.any());
        try (TestServer server = TestServer.start(props)) {
            int port = server.bean(VirtualHostServer.class).httpsPort();
            Agent agent = agent(server, "secure", ((InetSocketAddress) tlsEcho.localAddress()).getPort(),
                    "secure.example.test", "https");
            try {
                await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> {
                    try (SSLSocket socket = tls(port, "secure.example.test")) {
                        X509Certificate presented = (X509Certificate) socket.getSession().getPeerCertificates()[0];
                        assertThat(KeyPin.of(presented)).as("the backend's certificate, end to end")
                                .isEqualTo(TestServer.KEY_PIN);
                        socket.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
                        assertThat(new BufferedReader(new InputStreamReader(socket.getInputStream())).readLine())
                                .isEqualTo("ping");
                    }
                });
                try (SSLSocket socket = tls(port, "other.example.test")) {
                    throw new AssertionError("an unknown server name must not get a TLS session");
                } catch (IOException closed) {
                    // expected: closed without a handshake
                }
            } finally {
                agent.stop();
            }
        } finally {
            tlsEcho.close();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    @Test
    void responsesAreCountedByStatusClassAndASilentServiceGets504() throws Exception {
        Map<String, Object> props = TestServer.defaults();
        props.put("tunnel.server.vhost.http-port", FreePorts.any());
        props.put("tunnel.server.vhost.response-timeout", "1s");
        try (ServerSocket plain = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                TestServer server = TestServer.start(props)) {
            daemon(() -> serveByHand(plain));
            daemon(() -> acceptAndSayNothing(silent));
            int port = server.bean(VirtualHostServer.class).httpPort();
            Agent agent = agent(server, "counted", plain.getLocalPort(), "plain.example.test", "http");
            proxy(server, "counted", "mute", silent.getLocalPort(), "http", "mute.example.test");
            try {
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                        assertThat(get(port, "plain.example.test", "/warm")).contains("200 OK"));
                // HEAD's response has a Content-Length but no body: the responses after it must still be seen.
                try (Socket socket = new Socket("127.0.0.1", port)) {
                    socket.setSoTimeout(10_000);
                    BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                            StandardCharsets.ISO_8859_1));
                    write(socket, "HEAD / HTTP/1.1\r\nHost: plain.example.test\r\n\r\n");
                    assertThat(readHead(in)).startsWith("HTTP/1.1 200").contains("Content-Length: 11");
                    write(socket, "GET /missing HTTP/1.1\r\nHost: plain.example.test\r\n\r\n");
                    assertThat(readResponse(in)).startsWith("HTTP/1.1 404").contains("no /missing");
                    write(socket, "GET / HTTP/1.1\r\nHost: plain.example.test\r\n\r\n");
                    assertThat(readResponse(in)).startsWith("HTTP/1.1 200").contains("hello world");
                }
                // (502 "offline" until the live-pushed proxy is registered, then 504 after the 1 s timeout)
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                    long start = System.nanoTime();
                    assertThat(get(port, "mute.example.test", "/")).startsWith("HTTP/1.1 504 Gateway Timeout")
                            .contains("did not begin its response within 1s (proxy mute)");
                    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
                });
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                        server.get("/actuator/prometheus").body())
                        .contains("tunnel_vhost_responses_total{proxy=\"site\",status_class=\"2xx\"} 3.0")
                        .contains("tunnel_vhost_responses_total{proxy=\"site\",status_class=\"4xx\"} 1.0")
                        .contains("tunnel_vhost_responses_total{proxy=\"mute\",status_class=\"5xx\"} 1.0")
                        .containsPattern("tunnel_proxy_connections_total\\{proxy=\"site\",type=\"http\"} [1-9]"));
            } finally {
                agent.stop();
            }
        }
    }

    @Test
    void basicAuthGuardsEveryRequestAndIsStoredOnlyAsAHash() throws Exception {
        HttpServer site = site("guarded");
        Map<String, Object> props = TestServer.defaults();
        props.put("tunnel.server.vhost.http-port", FreePorts.any());
        try (TestServer server = TestServer.start(props)) {
            int port = server.bean(VirtualHostServer.class).httpPort();
            String token = client(server, "keeper");
            String base = "{\"name\":\"site\",\"type\":\"http\",\"localHost\":\"127.0.0.1\",\"localPort\":"
                    + site.getAddress().getPort() + ",\"customDomains\":[\"guarded.example.test\"]";
            String proxies = "/api/v1/clients/" + IDS.get("keeper") + "/proxies";
            assertThat(body(400, server.send("POST", proxies, base + ",\"httpUser\":\"alice\"}"))
                    .at("/errors/0/field").asString()).isEqualTo("httpPassword");
            var created = body(201, server.send("POST", proxies,
                    base + ",\"httpUser\":\"alice\",\"httpPassword\":\"correct horse\"}"));
            assertThat(created.get("httpUser").asString()).isEqualTo("alice");
            assertThat(created.toString()).doesNotContain("correct horse").doesNotContain("sha256");
            Agent agent = TestAgents.start(server.agentPort(), token, Duration.ofSeconds(1));
            String alice = "Authorization: Basic " + java.util.Base64.getEncoder().encodeToString(
                    "alice:correct horse".getBytes(StandardCharsets.UTF_8)) + "\r\n";
            String mallory = "Authorization: Basic " + java.util.Base64.getEncoder().encodeToString(
                    "alice:wrong horse".getBytes(StandardCharsets.UTF_8)) + "\r\n";
            try {
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                        get(port, "guarded.example.test", "/", alice)).contains("200 OK").contains("guarded /"));
                assertThat(get(port, "guarded.example.test", "/", "")).startsWith("HTTP/1.1 401 Unauthorized")
                        .contains("WWW-Authenticate: Basic realm=\"guarded.example.test\", charset=\"UTF-8\"");
                assertThat(get(port, "guarded.example.test", "/", mallory)).startsWith("HTTP/1.1 401");

                // Every request of a kept-alive connection is checked, not only the first.
                try (Socket socket = new Socket("127.0.0.1", port)) {
                    socket.setSoTimeout(10_000);
                    BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                            StandardCharsets.ISO_8859_1));
                    write(socket, "GET /one HTTP/1.1\r\nHost: guarded.example.test\r\n" + alice + "\r\n");
                    assertThat(readResponse(in)).contains("guarded /one");
                    write(socket, "GET /two HTTP/1.1\r\nHost: guarded.example.test\r\n\r\n");
                    assertThat(readResponse(in)).startsWith("HTTP/1.1 401").doesNotContain("guarded /two");
                    assertThat(in.read()).as("closed after the 401").isEqualTo(-1);
                }

                // Lifting it opens the site at once: the change is applied before the API answers.
                body(200, server.send("PATCH", "/api/v1/proxies/" + created.get("id").asLong(), "{\"httpUser\":\"\"}"));
                assertThat(get(port, "guarded.example.test", "/", "")).contains("200 OK").contains("guarded /");
            } finally {
                agent.stop();
            }
        } finally {
            site.stop(0);
        }
    }

    @Test
    void visitorsBeyondAProxysConnectionLimitGet503WhileTheAdmittedOneIsServed() throws Exception {
        HttpServer site = site("limited");
        Map<String, Object> props = TestServer.defaults();
        props.put("tunnel.server.vhost.http-port", FreePorts.any());
        props.put("tunnel.server.limits.max-connections-per-proxy", 1);
        try (TestServer server = TestServer.start(props)) {
            int port = server.bean(VirtualHostServer.class).httpPort();
            Agent agent = agent(server, "limited", site.getAddress().getPort(), "limited.example.test", "http");
            try {
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                        assertThat(get(port, "limited.example.test", "/")).contains("200 OK"));
                // The warm-up's connection is let go asynchronously: retry until this one is the admitted one.
                Socket held = await().atMost(Duration.ofSeconds(5)).until(() -> {
                    Socket socket = new Socket("127.0.0.1", port);
                    socket.setSoTimeout(10_000);
                    write(socket, "GET /held HTTP/1.1\r\nHost: limited.example.test\r\n\r\n");
                    if (readResponse(reader(socket)).contains("limited /held")) {
                        return socket;
                    }
                    socket.close();
                    return null;
                }, java.util.Objects::nonNull);
                try (held) {
                    BufferedReader in = reader(held);
                    assertThat(get(port, "limited.example.test", "/second")).startsWith("HTTP/1.1 503")
                            .contains("at its connection limit");
                    write(held, "GET /again HTTP/1.1\r\nHost: limited.example.test\r\n\r\n");
                    assertThat(readResponse(in)).contains("limited /again");
                }
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                        assertThat(get(port, "limited.example.test", "/after")).contains("limited /after"));
                assertThat(server.get("/actuator/prometheus").body()).containsPattern(
                        "tunnel_connections_refused_total\\{reason=\"max_connections_per_proxy\"} 1\\.0");
            } finally {
                agent.stop();
            }
        } finally {
            site.stop(0);
        }
    }

    /** A minimal keep-alive HTTP/1.1 server: HEAD and GET of {@code /}, 404 for anything else. */
    private static void serveByHand(ServerSocket listener) {
        while (!listener.isClosed()) {
            try {
                Socket socket = listener.accept();
                daemon(() -> {
                    try (socket) {
                        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                                StandardCharsets.ISO_8859_1));
                        String head;
                        while (!(head = readHead(in)).isEmpty()) {
                            String[] line = head.split(" ", 3);
                            String body = "/".equals(line[1]) || "/warm".equals(line[1]) ? "hello world"
                                    : "no " + line[1];
                            String status = body.startsWith("no ") ? "404 Not Found" : "200 OK";
                            write(socket, "HTTP/1.1 " + status + "\r\nContent-Length: " + body.length() + "\r\n\r\n"
                                    + ("HEAD".equals(line[0]) ? "" : body));
                            if (head.toLowerCase().contains("connection: close")) {
                                break;
                            }
                        }
                    } catch (IOException gone) {
                        // the visitor or the test went away
                    }
                });
            } catch (IOException closed) {
                return;
            }
        }
    }

    private static BufferedReader reader(Socket socket) throws IOException {
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
    }

    private static void daemon(Runnable task) {
        Thread thread = new Thread(task, "test-backend");
        thread.setDaemon(true);
        thread.start();
    }

    private static void acceptAndSayNothing(ServerSocket listener) {
        List<Socket> held = new java.util.ArrayList<>();
        while (!listener.isClosed()) {
            try {
                held.add(listener.accept());
            } catch (IOException closed) {
                return;
            }
        }
    }

    /** Reads a head up to the blank line; empty at the end of the stream. */
    private static String readHead(BufferedReader in) throws IOException {
        StringBuilder text = new StringBuilder();
        String line;
        while ((line = in.readLine()) != null && !line.isEmpty()) {
            text.append(line).append('\n');
        }
        return text.toString();
    }

    private static Agent agent(TestServer server, String name, int localPort, String domain, String type)
            throws Exception {
        String token = client(server, name);
        proxy(server, name, "site", localPort, type, domain);
        return TestAgents.start(server.agentPort(), token, Duration.ofSeconds(1));
    }

    private static final Map<String, Long> IDS = new java.util.concurrent.ConcurrentHashMap<>();

    private static String client(TestServer server, String name) throws Exception {
        var created = body(201, server.send("POST", "/api/v1/clients", "{\"name\":\"" + name + "\"}"));
        IDS.put(name, created.get("id").asLong());
        return created.get("token").asString();
    }

    private static void proxy(TestServer server, String client, String name, int localPort, String type,
            String domain) throws Exception {
        body(201, server.send("POST", "/api/v1/clients/" + IDS.get(client) + "/proxies", "{\"name\":\"" + name
                + "\",\"type\":\"" + type + "\",\"localHost\":\"127.0.0.1\",\"localPort\":" + localPort
                + ",\"customDomains\":[\"" + domain + "\"]}"));
    }

    /** A local web site that answers with its name, the path and the proxy headers it got. */
    private static HttpServer site(String name) throws IOException {
        HttpServer site = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        site.createContext("/", exchange -> {
            String text = name + " " + exchange.getRequestURI().getPath() + "\n"
                    + "x-forwarded-for=" + exchange.getRequestHeaders().getFirst("X-Forwarded-For") + "\n"
                    + "x-forwarded-host=" + exchange.getRequestHeaders().getFirst("X-Forwarded-Host") + "\n"
                    + "x-forwarded-proto=" + exchange.getRequestHeaders().getFirst("X-Forwarded-Proto") + "\n";
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        site.start();
        return site;
    }

    private static Channel webSocketEcho(EventLoopGroup group) {
        return new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
                                new WebSocketServerProtocolHandler("/ws"),
                                new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame f) {
                                        ctx.writeAndFlush(new TextWebSocketFrame(f.text()));
                                    }
                                });
                    }
                }).bind("127.0.0.1", 0).syncUninterruptibly().channel();
    }

    private static Channel tlsEcho(EventLoopGroup group) throws Exception {
        var context = SslContextBuilder.forServer(TestServer.CERTIFICATE.toFile(), TestServer.PRIVATE_KEY.toFile())
                .build();
        return new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(context.newHandler(ch.alloc()),
                                new io.netty.channel.ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                        ctx.writeAndFlush(msg);
                                    }
                                });
                    }
                }).bind("127.0.0.1", 0).syncUninterruptibly().channel();
    }

    private static SSLSocket tls(int port, String serverName) throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {new X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] chain, String type) {
            }

            public void checkServerTrusted(X509Certificate[] chain, String type) {
                // the test checks the presented key itself
            }

            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setServerNames(List.of(new SNIHostName(serverName)));
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return socket;
    }

    private static WebSocket.Listener collector(List<String> into) {
        return new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                into.add(data.toString());
                ws.request(1);
                return CompletableFuture.completedFuture(null);
            }
        };
    }

    /** One request with {@code Connection: close}; the whole response as text. */
    private static String get(int port, String host, String path) throws IOException {
        return get(port, host, path, "");
    }

    private static String get(int port, String host, String path, String headers) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            write(socket, "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n" + headers
                    + "Connection: close\r\n\r\n");
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static void write(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
    }

    /** Reads one response with a Content-Length body from a kept-alive connection. */
    private static String readResponse(BufferedReader in) throws IOException {
        StringBuilder text = new StringBuilder();
        int length = 0;
        String line;
        while ((line = in.readLine()) != null && !line.isEmpty()) {
            text.append(line).append('\n');
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).strip());
            }
        }
        char[] body = new char[length];
        int read = 0;
        while (read < length) {
            read += in.read(body, read, length - read);
        }
        return text.append('\n').append(body).toString();
    }
}
