package dev.jmesh.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Wrong settings never take the app down: it starts and serves, and the agent says once, in one
 * line on stderr, what is wrong (the token, the control server, the token's scope, the CA file, a
 * control server whose certificate is not issued for the name the agent was given).
 */
@ExtendWith(PrintProcessOutputOnFailure.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class BadInputSmokeTest {

  private static final Duration LOG_TIMEOUT = Duration.ofSeconds(30);

  private static ControlServer control;

  @BeforeAll
  static void startControlServer() {
    control = ControlServer.start();
  }

  @AfterAll
  static void stopControlServer() {
    if (control != null) {
      control.close();
    }
  }

  /**
   * Waits for the agent's stderr line that contains {@code text} and checks it is the only agent
   * line on stderr, after the app has also served a few requests (so a retry loop would show).
   */
  private static String awaitTheOneAgentErrorLine(MeshApp app, String text) throws Exception {
    String lowered = text.toLowerCase(Locale.ROOT);
    Poll.until(
        LOG_TIMEOUT,
        app.service() + "'s agent to print a [jmesh] line on stderr mentioning \"" + text + "\"",
        () -> {
          app.process().assertAlive();
          return app.agentStderrLines().stream()
              .anyMatch(line -> line.toLowerCase(Locale.ROOT).contains(lowered));
        });
    for (int i = 0; i < 5; i++) {
      assertEquals(200, app.get("/hello").status());
    }
    List<String> lines = app.agentStderrLines();
    assertEquals(1, lines.size(), () -> "expected exactly one agent line on stderr: " + lines);
    return lines.get(0);
  }

  @Test
  void wrongJoinTokenLeavesTheAppServingAndNamesTheToken() throws Exception {
    String token = control.createToken("default", "a");
    String secret = token.split("\\.")[2];
    String wrong = token.replace("." + secret + ".", "." + flip(secret) + ".");
    assertNotEquals(token, wrong);

    try (MeshApp app =
        MeshApp.builder("a", MeshApp.JDK_HTTP_SERVER)
            .control(control.url())
            .token(wrong)
            .start()) {
      app.awaitServing();

      awaitTheOneAgentErrorLine(app, "is not known to this control server"); // the server's reason, not "(no body)"
      assertNotEquals(200, Http.get(app.adminPort(), "/ready").status(), "ready without a cert");
    }
  }

  /** The same token with every hex digit of the secret changed (still well-formed). */
  private static String flip(String hex) {
    StringBuilder out = new StringBuilder();
    for (char c : hex.toCharArray()) {
      out.append(Character.forDigit((Character.digit(c, 16) + 1) % 16, 16));
    }
    return out.toString();
  }

  @Test
  void unreachableControlServerAtStartUpThenJoinsOnceItIsUp() throws Exception {
    try (ControlServer later = ControlServer.start()) {
      String token = later.createToken("default", "a");
      later.stop();

      try (MeshApp app =
          MeshApp.builder("a", MeshApp.JDK_HTTP_SERVER)
              .control(later.url())
              .token(token)
              .start()) {
        app.awaitServing();
        String line = awaitTheOneAgentErrorLine(app, "127.0.0.1:" + later.port());
        assertTrue(line.contains("[jmesh]"), line);

        later.startProcess();
        app.awaitReady();
        assertEquals(List.of(line), app.agentStderrLines(), "agent stderr after joining");
      }
    }
  }

  @Test
  void tokenScopedToAnotherServiceIsRefusedNamingTheScope() throws Exception {
    String inventoryToken = control.createToken("default", "inventory");

    try (MeshApp billing =
        MeshApp.builder("billing", MeshApp.JDK_HTTP_SERVER)
            .control(control.url())
            .token(inventoryToken)
            .start()) {
      billing.awaitServing();

      awaitTheOneAgentErrorLine(billing, "inventory");
    }
  }

  @Test
  void malformedControlCaFileIsReportedByName() throws Exception {
    Path badCa = Files.createTempDirectory(SmokeEnvironment.logsDir(), "bad-ca-").resolve("bad-ca.pem");
    Files.writeString(
        badCa, "-----BEGIN CERTIFICATE-----\nthis is not base64 !!!\n-----END CERTIFICATE-----\n");

    try (MeshApp app =
        MeshApp.builder("a", MeshApp.JDK_HTTP_SERVER)
            .joining(control)
            .agentProperty("jmesh.control.ca", badCa.toString())
            .start()) {
      app.awaitServing();

      awaitTheOneAgentErrorLine(app, badCa.getFileName().toString());
    }
  }

  /**
   * The agent reaches the control server by a name its certificate does not carry (the app's JVM
   * resolves {@code control.jmesh.test} to 127.0.0.1 from a hosts file of its own): the agent must
   * not trust it, though the certificate chains to the right CA, and must say which name is missing.
   */
  @Test
  void controlServerCertificateNotIssuedForTheUrlsHostIsRefusedNamingTheHost() throws Exception {
    Path hosts =
        Files.createTempDirectory(SmokeEnvironment.logsDir(), "hosts-").resolve("hosts");
    Files.writeString(
        hosts, "127.0.0.1 localhost\n::1 localhost\n127.0.0.1 control.jmesh.test\n");

    try (MeshApp app =
        MeshApp.builder("a", MeshApp.JDK_HTTP_SERVER)
            .control("https://control.jmesh.test:" + control.port())
            .token(control.createToken("default", "a"))
            .jvmOption("-Djdk.net.hosts.file=" + hosts)
            .start()) {
      app.awaitServing();

      String line = awaitTheOneAgentErrorLine(app, "not issued for control.jmesh.test");
      assertTrue(line.contains("--san control.jmesh.test"), line);
      assertNotEquals(200, Http.get(app.adminPort(), "/ready").status(), "ready without a cert");
    }
  }
}
