package dev.jmesh.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An app that ships its own Netty, Jackson and Bouncy Castle (other versions than the agent's)
 * runs unharmed with the agent attached: it serves over the mesh, and the library versions and
 * Bouncy Castle results it reports are its own.
 */
@ExtendWith(PrintProcessOutputOnFailure.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class IsolationSmokeTest {

  // Passed by Surefire from the module's pom (the versions IsolationApp is built with).
  private static final String NETTY = System.getProperty("isolation.netty.version", "4.1.100.Final");
  private static final String JACKSON = System.getProperty("isolation.jackson.version", "2.15.4");
  private static final String BOUNCY_CASTLE =
      System.getProperty("isolation.bouncycastle.version", "1.76");

  @Test
  void appWithItsOwnNettyJacksonAndBouncyCastleRunsMeshedAndUnharmed() throws Exception {
    try (ControlServer control = ControlServer.start();
        MeshApp iso = MeshApp.builder("iso", MeshApp.ISOLATION).joining(control).start();
        MeshApp a = MeshApp.builder("a", MeshApp.JDK_HTTP_SERVER).joining(control).start()) {
      iso.awaitReady();
      a.awaitReady();

      Http.Response plaintext = iso.get("/hello");
      assertEquals(200, plaintext.status(), () -> "plaintext GET /hello: " + plaintext);
      assertOwnLibraries(plaintext.body());

      assertOwnLibraries(a.awaitCallOk("http://iso:" + iso.port() + "/hello", "jdk"));
      assertOwnLibraries(a.callOk("http://iso.default:" + iso.port() + "/hello", "urlconnection"));

      List<String> agentErrors = iso.agentStderrLines();
      assertEquals(List.of(), agentErrors, "agent wrote to stderr");
      assertFalse(
          iso.stderr().contains("Exception"), () -> "exception on stderr:\n" + iso.stderr());
    }
  }

  /**
   * The same app on Netty's native epoll transport, whose listener binds and whose client connects
   * through Linux without the JDK's sockets: a mesh call reaches it over mutual TLS that iso's agent
   * terminates (the app itself speaks plain HTTP only), its own epoll client's call to a mesh name,
   * resolved by Netty's own DNS client as Reactor Netty does, goes out through its agent over mutual
   * TLS, and under a mesh-wide STRICT policy its port takes
   * plaintext connections and answers none. Without the agent moving that listener, the app would
   * hold the port itself (the mesh call's TLS would fail, plaintext would be served); without the
   * name answered, the look-up would fail; without the connect re-targeted, its client would
   * connect to the name's loopback address and be refused.
   */
  @Test
  void appOnNettysEpollTransportIsMeshedInAndOut() throws Exception {
    try (ControlServer control = ControlServer.start();
        MeshApp iso =
            MeshApp.builder("iso", MeshApp.ISOLATION)
                .joining(control)
                .env("APP_TRANSPORT", "epoll")
                // Netty's own DNS client, asking a UDP port on 127.0.0.1 where nothing answers:
                // only the agent can resolve "a" for it.
                .env("APP_DNS_SERVER", "127.0.0.1:" + unansweredUdpPort())
                .start();
        MeshApp a = MeshApp.builder("a", MeshApp.JDK_HTTP_SERVER).joining(control).start()) {
      iso.awaitReady();
      a.awaitReady();

      String hello = a.awaitCallOk("http://iso:" + iso.port() + "/hello", "jdk");
      assertOwnLibraries(hello);
      assertEquals("epoll", Json.parseObject(hello).get("transport"), hello);
      ConfigDump dump = iso.configDump();
      assertTrue(
          dump.inbound().stream().anyMatch(c -> c.from(a.spiffeId())),
          () -> "iso's agent saw no mutual-TLS connection from a: " + dump);

      // Until iso's snapshot lists a (a joined after iso), "a" is no mesh name there.
      Http.Response out =
          Poll.until(
              Duration.ofSeconds(30),
              "iso's epoll client to reach http://a:" + a.port() + "/headers",
              () -> iso.get("/call?host=a&port=" + a.port() + "&path=/headers"),
              response -> response.status() == 200);
      MeshAssertions.assertArrivedOverMutualTls(out.body(), iso, a);

      // Last, since the test reaches a's own port in plaintext too.
      control.applyOk(MtlsModeSmokeTest.peerAuthentication("STRICT"));
      iso.awaitConfigDump(
          "STRICT on port " + iso.port(), d -> "STRICT".equals(d.mtlsModeForPort(iso.port())));
      Http.RawExchange plaintext = Http.plaintextExchange(iso.port(), "/hello");
      assertFalse(plaintext.gotHttpAnswer(), () -> "plaintext got an HTTP answer: " + plaintext);
      assertFalse(
          plaintext.error() instanceof java.net.ConnectException,
          () -> "nothing listens on iso's port: " + plaintext);
      assertEquals(List.of(), iso.agentStderrLines(), "agent wrote to stderr");
    }
  }

  /** A UDP port on 127.0.0.1 that was free a moment ago (nothing answers there). */
  private static int unansweredUdpPort() throws java.io.IOException {
    try (java.net.DatagramSocket socket =
        new java.net.DatagramSocket(
            new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0))) {
      return socket.getLocalPort();
    }
  }

  private static void assertOwnLibraries(String helloJson) {
    Map<String, Object> hello = Json.parseObject(helloJson);
    assertEquals("hello from iso", hello.get("message"), helloJson);
    assertEquals(NETTY, hello.get("netty"), () -> "Netty version in use: " + helloJson);
    assertEquals(JACKSON, hello.get("jackson"), () -> "Jackson version in use: " + helloJson);
    assertEquals(
        BOUNCY_CASTLE, hello.get("bouncycastle"), () -> "\"BC\" provider in use: " + helloJson);
    assertEquals(Boolean.TRUE, hello.get("blake2bMatches"), helloJson);
  }
}
