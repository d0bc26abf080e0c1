package dev.jmesh.instrumentation.jdksockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.jmesh.bootstrap.AgentThread;
import dev.jmesh.bootstrap.Hooks;
import dev.jmesh.bootstrap.InboundHook;
import dev.jmesh.bootstrap.OutboundHook;
import dev.jmesh.instrumentation.tooling.Installer;
import dev.jmesh.instrumentation.tooling.MovingInboundHook;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real JDK classes, instrumented in this JVM by the real installer, with recording hooks: the
 * app-side effects the agent relies on (a listener moved at bind, a mesh name resolved without
 * DNS and a connection sent elsewhere) happen for the JDK HttpServer, ServerSocket,
 * HttpURLConnection and the JDK HttpClient.
 */
class JdkSocketsInstrumentationTest {

  private static final String MESH_NAME = "meshsvc";
  private static final InetAddress MESH_VIP = vip();

  private static final MovingInboundHook INBOUND = new MovingInboundHook();
  private static final AtomicReference<InetSocketAddress> EGRESS = new AtomicReference<>();
  private static Installer installer;
  private static HttpServer egress;

  @BeforeAll
  static void instrument() throws IOException {
    installer =
        new Installer(
            ByteBuddyAgent.install(), JdkSocketsInstrumentationTest.class.getClassLoader());
    installer.install(List.of(new JdkSocketsModule()));
    Hooks.install(INBOUND, new RecordingOutbound());
    egress = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    egress.createContext(
        "/",
        exchange -> {
          byte[] body = ("egress saw host " + exchange.getRequestHeaders().getFirst("Host"))
              .getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    egress.start();
    EGRESS.set(egress.getAddress());
  }

  @AfterAll
  static void stop() {
    Hooks.install(InboundHook.NONE, OutboundHook.NONE);
    if (egress != null) {
      egress.stop(0);
    }
    assertEquals(0, installer.errorCount(), "the installer logged transformation errors");
  }

  @Test
  void jdkHttpServerIsMovedToTheAddressTheHookChose() throws IOException {
    int port = freePort();
    INBOUND.move(port, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    try {
      int actual = server.getAddress().getPort();
      assertNotEquals(port, actual, "the app's listener should have moved off the requested port");
      assertEquals(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), actual), INBOUND.boundFor(port));
    } finally {
      server.stop(0);
    }
  }

  @Test
  void serverSocketAndServerSocketChannelAreMovedToo() throws IOException {
    int first = freePort();
    INBOUND.move(first, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    try (ServerSocket socket = new ServerSocket(first, 50, InetAddress.getLoopbackAddress())) {
      assertNotEquals(first, socket.getLocalPort());
      assertEquals(socket.getLocalSocketAddress(), INBOUND.boundFor(first));
    }
    int second = freePort();
    INBOUND.move(second, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    try (ServerSocketChannel channel = ServerSocketChannel.open()) {
      channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), second));
      assertEquals(channel.getLocalAddress(), INBOUND.boundFor(second));
      assertNotEquals(second, ((InetSocketAddress) channel.getLocalAddress()).getPort());
    }
  }

  @Test
  void bindsTheHookLeavesAloneAreUntouched() throws IOException {
    int port = freePort();
    try (ServerSocket socket = new ServerSocket(port, 50, InetAddress.getLoopbackAddress())) {
      assertEquals(port, socket.getLocalPort());
      assertNull(INBOUND.boundFor(port));
    }
  }

  @Test
  void meshNameResolvesWithoutDns() throws IOException {
    InetAddress address = InetAddress.getByName(MESH_NAME);
    assertEquals(MESH_VIP, address);
    assertEquals(MESH_NAME, address.getHostName());
    assertEquals(MESH_VIP, InetAddress.getAllByName(MESH_NAME)[0]);
    assertTrue(InetAddress.getByName("localhost").isLoopbackAddress());
  }

  @Test
  void httpUrlConnectionToAMeshNameGoesWhereTheHookSends() throws IOException {
    HttpURLConnection connection =
        (HttpURLConnection) new URL("http://" + MESH_NAME + ":8080/x").openConnection();
    try (InputStream in = connection.getInputStream()) {
      assertEquals(200, connection.getResponseCode());
      assertEquals(
          "egress saw host " + MESH_NAME + ":8080",
          new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void jdkHttpClientToAMeshNameGoesWhereTheHookSends() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(URI.create("http://" + MESH_NAME + "/y")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode());
    assertEquals("egress saw host " + MESH_NAME, response.body());
  }

  @Test
  void theAgentsOwnThreadsAreNeverIntercepted() throws Exception {
    AtomicReference<Object> seen = new AtomicReference<>();
    Thread agentThread =
        new AgentThread(
            () -> {
              try {
                seen.set(InetAddress.getByName(MESH_NAME));
              } catch (IOException expected) {
                seen.set(expected);
              }
            },
            "test");
    agentThread.start();
    agentThread.join();
    assertTrue(seen.get() instanceof IOException, "agent thread got " + seen.get());
  }

  @Test
  void aFailingHookLeavesTheApplicationsCallAlone() throws IOException {
    Hooks.install(
        new InboundHook() {
          @Override
          public SocketAddress beforeBind(Object listener, SocketAddress requested) {
            throw new IllegalStateException("forced");
          }

          @Override
          public void afterBind(
              Object listener, SocketAddress requested, SocketAddress bound, Throwable failure) {
            throw new IllegalStateException("forced");
          }
        },
        new OutboundHook() {
          @Override
          public InetAddress[] resolve(String host) {
            throw new IllegalStateException("forced");
          }

          @Override
          public SocketAddress beforeConnect(SocketAddress target) {
            throw new IllegalStateException("forced");
          }
        });
    try {
      int port = freePort();
      try (ServerSocket server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
          Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
        assertEquals(port, server.getLocalPort());
        assertNotNull(server.accept());
        assertTrue(client.isConnected());
      }
      assertTrue(InetAddress.getByName("localhost").isLoopbackAddress());
    } finally {
      Hooks.install(INBOUND, new RecordingOutbound());
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static InetAddress vip() {
    try {
      return InetAddress.getByAddress(MESH_NAME, new byte[] {127, (byte) 255, 0, 1});
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final class RecordingOutbound implements OutboundHook {
    @Override
    public InetAddress[] resolve(String host) {
      return MESH_NAME.equals(host) ? new InetAddress[] {MESH_VIP} : null;
    }

    @Override
    public SocketAddress beforeConnect(SocketAddress target) {
      InetSocketAddress address = (InetSocketAddress) target;
      return MESH_NAME.equals(address.getHostString()) ? EGRESS.get() : target;
    }
  }
}
