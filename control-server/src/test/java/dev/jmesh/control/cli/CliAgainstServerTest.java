package dev.jmesh.control.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jmesh.api.JoinToken;
import dev.jmesh.control.ControlServer;
import dev.jmesh.control.ServerSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The client commands against an in-process server, verifying it with the data dir's CA. */
class CliAgainstServerTest {

  @TempDir Path dataDir;
  @TempDir Path work;
  private ControlServer server;

  private record Run(int exitCode, String out, String err) {}

  @BeforeEach
  void start() throws Exception {
    server = ControlServer.start(ServerSettings.defaults(dataDir).withPort(0));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = Main.commandLine();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    String[] withServer = new String[args.length + 4];
    System.arraycopy(args, 0, withServer, 0, args.length);
    withServer[args.length] = "--server";
    withServer[args.length + 1] = server.url().toString();
    withServer[args.length + 2] = "--data-dir";
    withServer[args.length + 3] = dataDir.toString();
    int exitCode = commandLine.execute(withServer);
    return new Run(exitCode, out.toString(), err.toString());
  }

  @Test
  void tokenCreatePrintsOnlyTheToken() {
    Run run =
        run("token", "create", "--namespace", "default", "--service", "orders", "--ttl", "1h");

    assertEquals(0, run.exitCode(), run.err());
    JoinToken token = JoinToken.parse(run.out().trim());
    assertEquals(server.authority().sha256(), token.caSha256());
    assertEquals(1, run.out().lines().count());
  }

  @Test
  void applyPrintsKubectlStyleResultsAndGetShowsThePolicy() throws Exception {
    Path file = work.resolve("strict.yaml");
    Files.writeString(
        file,
        """
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata:
          name: default
          namespace: istio-system
        spec:
          mtls:
            mode: STRICT
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        """);

    Run created = run("apply", "-f", file.toString());
    Run unchanged = run("apply", "-f", file.toString());
    Run yaml = run("get", "pa", "default", "-n", "istio-system", "-o", "yaml");

    assertEquals(0, created.exitCode(), created.err());
    assertTrue(
        created.out().startsWith("peerauthentication.security.istio.io/default created\n"),
        created.out());
    assertTrue(created.out().contains("Deployment/web skipped"), created.out());
    assertTrue(
        unchanged.out().startsWith("peerauthentication.security.istio.io/default unchanged"));
    assertTrue(yaml.out().contains("mode: STRICT"), yaml.out());
  }

  @Test
  void invalidApplyExitsOneWithTheServersErrorOnStderr() throws Exception {
    Path file = work.resolve("bad.yaml");
    Files.writeString(
        file,
        """
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata:
          name: strict
        spec:
          mtls:
            mode: STRICTT
        """);

    Run run = run("apply", "-f", file.toString());

    assertEquals(1, run.exitCode());
    assertEquals("", run.out());
    assertTrue(
        run.err()
            .contains(file + ": document 1 (PeerAuthentication default/strict): spec.mtls.mode"),
        run.err());
  }

  @Test
  void deleteOfAMissingPolicyFails() {
    Run run = run("delete", "peerauthentication", "nothing");

    assertEquals(1, run.exitCode());
    assertTrue(run.err().contains("PeerAuthentication default/nothing does not exist"), run.err());
  }

  @Test
  void statusShowsTheServer() {
    Run run = run("status");

    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().contains("CA sha256 " + server.authority().sha256()), run.out());
  }
}
