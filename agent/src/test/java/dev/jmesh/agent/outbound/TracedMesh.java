package dev.jmesh.agent.outbound;

import com.sun.net.httpserver.HttpServer;
import dev.jmesh.agent.config.AgentConfig;
import dev.jmesh.agent.config.TlsProvider;
import dev.jmesh.agent.identity.IdentityStore;
import dev.jmesh.agent.inbound.InboundContext;
import dev.jmesh.agent.inbound.InboundListeners;
import dev.jmesh.agent.inbound.InboundPolicy;
import dev.jmesh.agent.inbound.PortDecision;
import dev.jmesh.agent.runtime.AgentThreadFactory;
import dev.jmesh.agent.runtime.RecentConnections;
import dev.jmesh.agent.runtime.StartupDeadline;
import dev.jmesh.agent.telemetry.AccessLog;
import dev.jmesh.agent.telemetry.IstioMetrics;
import dev.jmesh.agent.telemetry.Telemetry;
import dev.jmesh.agent.tls.MeshTlsContexts;
import dev.jmesh.agent.tls.TestPki;
import dev.jmesh.agent.tls.TlsEngine;
import dev.jmesh.agent.tracing.Tracing;
import dev.jmesh.policy.MtlsMode;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Two agents in one JVM, each with its own tracing, as in a real call: app "web" → web's egress →
 * mTLS → orders' inbound (PERMISSIVE, so tests may also call it in plaintext) → app "orders", a JDK
 * HttpServer that records the headers of every request it receives. {@code /status/<code>} answers
 * with that code.
 */
final class TracedMesh implements AutoCloseable {

  final IstioMetrics clientMetrics = new IstioMetrics();
  final IstioMetrics serverMetrics = new IstioMetrics();
  final BlockingQueue<Map<String, String>> received = new LinkedBlockingQueue<>();
  final InetSocketAddress inbound;
  private final NioEventLoopGroup loops;
  private final HttpServer app;
  private final EgressListeners client;
  private final InboundListeners server;

  /**
   * @param clientTracing web's tracing, null for none
   * @param serverTracing orders' tracing, null for none
   * @param appAddress where orders' inbound relays to; null for the recording HttpServer
   */
  TracedMesh(Tracing clientTracing, Tracing serverTracing, InetSocketAddress appAddress)
      throws IOException {
    TestPki pki = new TestPki();
    FakeDirectory directory = new FakeDirectory();
    loops = new NioEventLoopGroup(2, new AgentThreadFactory("test-tracing"));
    app = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    app.createContext(
        "/",
        exchange -> {
          Map<String, String> headers = new TreeMap<>();
          exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), v.get(0)));
          headers.put(":path", exchange.getRequestURI().toString());
          received.add(headers);
          String path = exchange.getRequestURI().getPath();
          int code = path.startsWith("/status/") ? Integer.parseInt(path.substring(8)) : 200;
          byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(code, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    app.start();
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      inbound = new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
    }
    IdentityStore clientIdentity = pki.identity("default", "web");
    MeshTlsContexts clientTls = new MeshTlsContexts(clientIdentity, TlsEngine.choose(TlsProvider.AUTO));
    client =
        new EgressListeners(
            "default",
            new EgressContext(
                directory,
                clientTls,
                clientIdentity.firstCertificate(),
                new StartupDeadline(Duration.ofSeconds(5)),
                new RecentConnections(10),
                loops,
                loops,
                new Telemetry(
                        clientMetrics,
                        AccessLog.off(),
                        "web",
                        "default",
                        Map.of("app", "web"),
                        clientTls::localSpiffeId,
                        directory)
                    .withTracing(clientTracing)));
    IdentityStore serverIdentity = pki.identity("default", "orders");
    MeshTlsContexts serverTls = new MeshTlsContexts(serverIdentity, TlsEngine.choose(TlsProvider.AUTO));
    InboundPolicy permissive =
        new InboundPolicy() {
          @Override
          public PortDecision decide(int port) {
            return new PortDecision(MtlsMode.PERMISSIVE, "default/permissive");
          }

          @Override
          public CompletableFuture<?> firstSnapshot() {
            return CompletableFuture.completedFuture(null);
          }
        };
    server =
        new InboundListeners(
            new AgentConfig(
                true,
                "orders",
                "default",
                Map.of(),
                List.of(URI.create("https://localhost:1")),
                null,
                null,
                Set.of(),
                "127.0.0.1",
                -1,
                null,
                Duration.ofSeconds(5),
                AgentConfig.DEFAULT_ACCESS_LOG,
                1.0, AgentConfig.DEFAULT_STATS_INTERVAL, TlsProvider.AUTO, null),
            new InboundContext(
                permissive,
                serverTls,
                serverIdentity.firstCertificate(),
                new StartupDeadline(Duration.ofSeconds(5)),
                new RecentConnections(10),
                loops,
                loops,
                Duration.ofSeconds(5),
                new Telemetry(
                        serverMetrics,
                        AccessLog.off(),
                        "orders",
                        "default",
                        Map.of("app", "orders", "version", "v1"),
                        serverTls::localSpiffeId,
                        directory)
                    .withTracing(serverTracing)),
            () -> {});
    server.beforeBind(null, inbound);
    server.afterBind(null, inbound, appAddress != null ? appAddress : app.getAddress(), null);
    directory.add("default", "orders", "127.0.0.1", inbound.getPort());
    directory.add("default", "web", "127.0.0.2", 1);
  }

  /** Where web's application connects to reach {@code orders:80}. */
  InetSocketAddress egress() {
    return (InetSocketAddress) client.beforeConnect(InetSocketAddress.createUnresolved("orders", 80));
  }

  /** The headers of the next request the orders app received. */
  Map<String, String> nextReceived() throws InterruptedException {
    Map<String, String> headers = received.poll(10, TimeUnit.SECONDS);
    if (headers == null) {
      throw new AssertionError("the app received no request");
    }
    return headers;
  }

  /** One keep-alive request with these extra header lines; returns the response head and body. */
  static String exchange(Socket socket, String method, String path, String... headers)
      throws IOException {
    StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: orders\r\n");
    for (String header : headers) {
      request.append(header).append("\r\n");
    }
    request.append("\r\n");
    OutputStream out = socket.getOutputStream();
    out.write(request.toString().getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
    }
    String text = head.toString(StandardCharsets.US_ASCII);
    int length = 0;
    for (String line : text.split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    return text + new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    client.closeAll();
    server.closeAll();
    app.stop(0);
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }
}
