package dev.jmesh.agent.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jmesh.agent.config.TlsProvider;
import dev.jmesh.agent.identity.IdentityStore;
import dev.jmesh.agent.runtime.TestControlServer;
import dev.jmesh.agent.tls.TlsEngine;
import dev.jmesh.api.JoinToken;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control client's HTTP over the agent's Netty and TLS engine, against the real server. */
class ControlTransportTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  @TempDir Path dataDir;
  private TestControlServer server;
  private ControlTransport transport;

  @AfterEach
  void close() {
    if (transport != null) {
      transport.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private ControlTransport transportFor(TestControlServer server) throws Exception {
    String caSha256 = JoinToken.parse(server.joinToken("default", "orders")).caSha256();
    return new ControlTransport(
        new IdentityStore(),
        new ControlServerTrustManager(caSha256, List.of()),
        () -> TlsEngine.choose(TlsProvider.AUTO));
  }

  private ControlTransport.Answer get(URI url, String path) throws IOException {
    return transport.call(url, "GET", path, Map.of(), null, TIMEOUT, TIMEOUT);
  }

  @Test
  void callsOneAfterAnotherShareOneConnection() throws Exception {
    server = new TestControlServer(dataDir, Duration.ofHours(1));
    transport = transportFor(server);
    for (int i = 0; i < 3; i++) {
      ControlTransport.Answer answer = get(server.url(), "/v1/instances/nobody");
      assertEquals(405, answer.status(), new String(answer.body()));
      assertTrue(new String(answer.body()).contains("GET is not allowed"), new String(answer.body()));
    }
    assertEquals(1, transport.connectionsOpened());
  }

  @Test
  void aKeptConnectionTheServerClosedIsReplacedWithoutFailingTheCall() throws Exception {
    server = new TestControlServer(dataDir, Duration.ofHours(1));
    transport = transportFor(server);
    int port = server.server.port();
    assertEquals(405, get(server.url(), "/v1/instances/nobody").status());
    server.close();
    server = new TestControlServer(dataDir, Duration.ofHours(1), "127.0.0.1", port);

    assertEquals(405, get(server.url(), "/v1/instances/nobody").status());
    assertEquals(2, transport.connectionsOpened());
  }

  @Test
  void aServerOutsideTheTokensCaFailsTheHandshake() throws Exception {
    server = new TestControlServer(dataDir, Duration.ofHours(1));
    transport =
        new ControlTransport(
            new IdentityStore(),
            new ControlServerTrustManager("ab".repeat(32), List.of()),
            () -> TlsEngine.choose(TlsProvider.AUTO));
    IOException e = assertThrows(IOException.class, () -> get(server.url(), "/v1/nothing"));
    assertTrue(e instanceof SSLHandshakeException, e.toString());
    assertTrue(
        ControlClient.describe(server.url(), e)
            .contains("does not end in the CA the join token names"),
        ControlClient.describe(server.url(), e));
  }
}
