package dev.jmesh.agent.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jmesh.agent.config.AgentConfig;
import dev.jmesh.agent.config.TlsProvider;
import dev.jmesh.agent.identity.IdentityStore;
import dev.jmesh.agent.runtime.MeshState;
import dev.jmesh.agent.runtime.Poll;
import dev.jmesh.agent.runtime.TestControlServer;
import dev.jmesh.api.JoinToken;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The session's failure modes against the real control server: one clear line, then quiet. */
class ControlSessionTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  @TempDir Path dataDir;
  private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
  private PrintStream originalStderr;
  private final List<ControlSession> sessions = new ArrayList<>();
  private final List<TestControlServer> servers = new ArrayList<>();

  @BeforeEach
  void captureStderr() {
    originalStderr = System.err;
    System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    sessions.forEach(ControlSession::stop);
    servers.forEach(TestControlServer::close);
    System.setErr(originalStderr);
  }

  private List<String> errorLines() {
    return Arrays.stream(stderr.toString(StandardCharsets.UTF_8).split("\n"))
        .filter(l -> l.contains("[jmesh] ERROR"))
        .toList();
  }

  private TestControlServer server(String bind, int port) throws Exception {
    TestControlServer server = new TestControlServer(dataDir, Duration.ofHours(1), bind, port);
    servers.add(server);
    return server;
  }

  private ControlSession session(URI url, JoinToken token, String service) {
    ControlSession session = unstartedSession(url, token, service, List::of, new IdentityStore());
    session.start();
    return session;
  }

  private ControlSession unstartedSession(
      URI url,
      JoinToken token,
      String service,
      java.util.function.Supplier<List<Integer>> ports,
      IdentityStore identity) {
    AgentConfig config =
        new AgentConfig(
            true,
            service,
            "default",
            Map.of(),
            List.of(url),
            token,
            null,
            Set.of(),
            "127.0.0.1",
            -1,
            null,
            Duration.ofSeconds(5), AgentConfig.DEFAULT_ACCESS_LOG, 1.0, AgentConfig.DEFAULT_STATS_INTERVAL, TlsProvider.AUTO, null);
    ControlSession session =
        new ControlSession(
            config,
            new ControlClient(
            config.controlUrls(),
            token.caSha256(),
            List.of(),
            identity,
            ControlTransportTest::autoEngine),
            identity,
            ports,
            () -> -1,
            new MeshState("default", Map.of()),
            "test",
            new Backoff(Duration.ofMillis(10), Duration.ofMillis(50)));
    sessions.add(session);
    return session;
  }

  @Test
  void anEarlyJoinGetsTheCertificateAndTrustBundleButRegistersOnlyAfterStart() throws Exception {
    // Not the default trust domain: the agent must learn it from the certificate it is issued.
    TestControlServer server =
        new TestControlServer(dataDir, Duration.ofHours(1), "127.0.0.1", 0, "example.org");
    servers.add(server);
    JoinToken token = JoinToken.parse(server.joinToken("default", "orders"));
    AtomicInteger portsAsked = new AtomicInteger();
    IdentityStore identity = new IdentityStore();
    ControlSession session =
        unstartedSession(
            server.url(),
            token,
            "orders",
            () -> {
              portsAsked.incrementAndGet();
              return List.of(8080);
            },
            identity);

    session.beginJoin();
    Poll.until(() -> identity.certificate() != null, WAIT, "the certificate");
    Poll.until(
        () -> session.state().equals("waiting for the agent to start"), WAIT, "the join's end");
    // The first certificate brought the roots and the trust domain: no separate call needed.
    assertEquals("example.org", identity.trustBundle().trustDomain());
    assertEquals(
        server.server.authority().rootCertificate(), identity.trustBundle().roots().get(0));
    assertEquals(0, portsAsked.get(), "registered before the runtime was ready");

    session.start();
    Poll.until(() -> session.state().equals("connected"), WAIT, "connected");
    assertTrue(portsAsked.get() > 0);
    assertEquals(List.of(), errorLines());
  }

  @Test
  void anEarlyJoinThatCannotReachTheServerIsRetriedOnceTheAgentHasStarted() throws Exception {
    TestControlServer first = server("127.0.0.1", 0);
    int port = first.server.port();
    URI url = first.url();
    JoinToken token = JoinToken.parse(first.joinToken("default", "orders"));
    first.close();
    servers.remove(first);
    ControlSession session = unstartedSession(url, token, "orders", List::of, new IdentityStore());

    session.beginJoin();
    Poll.until(() -> session.failedStarts() == 1, WAIT, "the failed join");
    server("127.0.0.1", port);
    session.start();

    Poll.until(() -> session.state().equals("connected"), WAIT, "connected");
    assertEquals(1, errorLines().size(), errorLines().toString());
  }

  @Test
  void aTokenRejectedDuringAnEarlyJoinGivesUpOnceTheAgentHasStarted() throws Exception {
    TestControlServer server = server("127.0.0.1", 0);
    JoinToken paymentsOnly = JoinToken.parse(server.joinToken("default", "payments"));
    ControlSession session =
        unstartedSession(server.url(), paymentsOnly, "orders", List::of, new IdentityStore());
    AtomicInteger gaveUp = new AtomicInteger();
    session.onGiveUp(gaveUp::incrementAndGet);

    session.beginJoin();
    Poll.until(() -> session.state().startsWith("join token rejected"), WAIT, "the rejection");
    assertEquals(0, gaveUp.get(), "gave up before the runtime it stops was there");
    session.start();

    Poll.until(() -> gaveUp.get() == 1, WAIT, "the give-up action");
    assertEquals(1, errorLines().size(), errorLines().toString());
    assertTrue(session.state().startsWith("join token rejected"), session.state());
    assertEquals(0, session.failedStarts());
  }

  @Test
  void unreachableServerIsOneErrorThenRetriedUntilItAnswers() throws Exception {
    TestControlServer first = server("127.0.0.1", 0);
    int port = first.server.port();
    URI url = first.url();
    JoinToken token = JoinToken.parse(first.joinToken("default", "orders"));
    first.close();
    servers.remove(first);

    ControlSession session = session(url, token, "orders");
    Poll.until(() -> session.failedStarts() >= 5, WAIT, "five failed attempts");
    List<String> errors = errorLines();
    assertEquals(1, errors.size(), errors.toString());
    assertTrue(
        errors
            .get(0)
            .contains(
                "cannot reach control server " + url + ": Connection refused;" + " retrying every"),
        errors.get(0));

    server("127.0.0.1", port);
    Poll.until(() -> session.state().equals("connected"), WAIT, "connected");
    assertEquals(1, errorLines().size());
  }

  @Test
  void rejectedJoinTokenIsOneErrorWithTheServersReasonAndNoRetry() throws Exception {
    TestControlServer server = server("127.0.0.1", 0);
    JoinToken paymentsOnly = JoinToken.parse(server.joinToken("default", "payments"));

    ControlSession session = session(server.url(), paymentsOnly, "orders");
    Poll.until(() -> session.state().startsWith("join token rejected"), WAIT, "the rejection");

    List<String> errors = errorLines();
    assertEquals(1, errors.size(), errors.toString());
    assertTrue(
        errors.get(0).contains("refused the join token jmesh1." + paymentsOnly.id()),
        errors.get(0));
    assertTrue(errors.get(0).contains("without the mesh"), errors.get(0));
    assertEquals(0, session.failedStarts());
  }

  @Test
  void aServerWhoseCaDoesNotMatchTheTokenIsNotTrusted() throws Exception {
    TestControlServer server = server("127.0.0.1", 0);
    JoinToken real = JoinToken.parse(server.joinToken("default", "orders"));
    JoinToken otherCa = new JoinToken(real.id(), real.secret(), "ab".repeat(32));

    ControlSession session = session(server.url(), otherCa, "orders");
    Poll.until(() -> session.failedStarts() >= 3, WAIT, "failed attempts");

    List<String> errors = errorLines();
    assertEquals(1, errors.size(), errors.toString());
    assertTrue(
        errors.get(0).contains("does not end in the CA the join token names"), errors.get(0));
  }

  @Test
  void aHostNameOutsideTheServerCertificateIsNotTrusted() throws Exception {
    TestControlServer server = server("0.0.0.0", 0);
    JoinToken token = JoinToken.parse(server.joinToken("default", "orders"));

    ControlSession session =
        session(URI.create("https://127.0.0.2:" + server.server.port()), token, "orders");
    Poll.until(() -> session.failedStarts() >= 3, WAIT, "failed attempts");

    List<String> errors = errorLines();
    assertEquals(1, errors.size(), errors.toString());
    assertTrue(
        errors.get(0).contains("its certificate is not issued for 127.0.0.2"), errors.get(0));
  }

  @Test
  void failsOverToTheNextControlServer() throws Exception {
    TestControlServer server = server("127.0.0.1", 0);
    JoinToken token = JoinToken.parse(server.joinToken("default", "orders"));
    int deadPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      deadPort = s.getLocalPort();
    }
    AgentConfig config =
        new AgentConfig(
            true,
            "orders",
            "default",
            Map.of(),
            List.of(URI.create("https://127.0.0.1:" + deadPort), server.url()),
            token,
            null,
            Set.of(),
            "127.0.0.1",
            -1,
            null,
            Duration.ofSeconds(5), AgentConfig.DEFAULT_ACCESS_LOG, 1.0, AgentConfig.DEFAULT_STATS_INTERVAL, TlsProvider.AUTO, null);
    IdentityStore identity = new IdentityStore();
    ControlClient client =
        new ControlClient(
            config.controlUrls(),
            token.caSha256(),
            List.of(),
            identity,
            ControlTransportTest::autoEngine);
    ControlSession session =
        new ControlSession(
            config,
            client,
            identity,
            List::of,
            () -> -1,
            new MeshState("default", Map.of()),
            "test",
            new Backoff(Duration.ofMillis(10), Duration.ofMillis(50)));
    sessions.add(session);
    session.start();

    Poll.until(() -> session.state().equals("connected"), WAIT, "connected");
    assertEquals(server.url(), client.currentServer());
    assertEquals(List.of(), errorLines());
  }
}
