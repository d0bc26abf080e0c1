package dev.jmesh.benchmarks.harness;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The jmesh control server for the run ({@code serve} on a free port with a fresh data directory),
 * its CLI (join tokens, {@code apply -f}) and the agent flags of a meshed JVM. {@link #start}
 * returns null with {@link #unavailableReason} set when the jars are missing or the server does not
 * come up, so that the rest of the comparison still runs.
 */
final class JmeshControl {

  static final String POLICY = """
      apiVersion: security.istio.io/v1
      kind: PeerAuthentication
      metadata:
        name: default
        namespace: istio-system
      spec:
        mtls:
          mode: STRICT
      ---
      # The start-up runs are probed with plaintext by the harness, so their namespace is PERMISSIVE.
      apiVersion: security.istio.io/v1
      kind: PeerAuthentication
      metadata:
        name: default
        namespace: bench-startup
      spec:
        mtls:
          mode: PERMISSIVE
      """;

  private static final Pattern TOKEN = Pattern.compile("jmesh1\\.[0-9a-f]+\\.[0-9a-f]+\\.[0-9a-f]{64}");

  static String unavailableReason;

  private final Settings settings;
  private final Processes procs;
  private final Path dataDir;
  private final int port;
  private Processes.Child server;

  private JmeshControl(Settings settings, Processes procs, Path dataDir, int port) {
    this.settings = settings;
    this.procs = procs;
    this.dataDir = dataDir;
    this.port = port;
  }

  static JmeshControl start(Settings settings, Processes procs) {
    return start(settings, procs, "control-server", List.of());
  }

  /** A control server logging to {@code <name>.log}, with extra {@code serve} flags. */
  static JmeshControl start(Settings settings, Processes procs, String name, List<String> serveArgs) {
    if (!Files.isRegularFile(settings.agentJar()) || !Files.isRegularFile(settings.controlServerJar())) {
      unavailableReason = "not built: " + settings.agentJar() + " or " + settings.controlServerJar() + " is missing";
      return null;
    }
    try {
      Path dataDir = Files.createTempDirectory(settings.work(), "control-data-");
      JmeshControl control = new JmeshControl(settings, procs, dataDir, Processes.freePort());
      List<String> cmd = new ArrayList<>(List.of(settings.java().toString(), "-Xmx256m", "-XX:+UseSerialGC",
          "-jar", settings.controlServerJar().toString(), "serve", "--data-dir", dataDir.toString(),
          "--port", String.valueOf(control.port)));
      cmd.addAll(serveArgs);
      control.server = procs.start(name, cmd, Map.of());
      control.server.awaitLog("ready", Duration.ofSeconds(60));
      Path policy = settings.work().resolve("mesh-policy.yaml");
      Files.writeString(policy, POLICY);
      control.cli("apply", "-f", policy.toString());
      return control;
    } catch (RuntimeException | IOException e) {
      unavailableReason = "control server did not start or take the policy: " + e.getMessage();
      return null;
    }
  }

  String url() {
    return "https://127.0.0.1:" + port;
  }

  long pid() {
    return server.pid();
  }

  Path dataDir() {
    return dataDir;
  }

  String token(String namespace, String service) {
    return findToken(cli("token", "create", "--namespace", namespace, "--service", service));
  }

  /** A join token for any service of {@code namespace}. */
  String token(String namespace) {
    return findToken(cli("token", "create", "--namespace", namespace));
  }

  private static String findToken(String out) {
    Matcher m = TOKEN.matcher(out);
    if (!m.find()) {
      throw new IllegalStateException("no join token in the output of token create: " + out);
    }
    return m.group();
  }

  private String cli(String... args) {
    List<String> cmd = new ArrayList<>(List.of(settings.java().toString(), "-Xmx128m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1", "-jar", settings.controlServerJar().toString()));
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("--server", url(), "--data-dir", dataDir.toString()));
    Processes.Result r = procs.run("cli-" + args[0], cmd, Map.of(), Duration.ofSeconds(60));
    if (r.exitCode() != 0) {
      throw new IllegalStateException(String.join(" ", args) + " exited " + r.exitCode() + ": " + r.output().trim());
    }
    return r.output();
  }

  /** The JVM flags that attach the agent and join this mesh as {@code namespace/service}. */
  List<String> agentFlags(String namespace, String service, int adminPort) {
    return List.of(
        "-javaagent:" + settings.agentJar(),
        "-Djmesh.service=" + service,
        "-Djmesh.namespace=" + namespace,
        "-Djmesh.control=" + url(),
        "-Djmesh.token=" + token(namespace, service),
        "-Djmesh.advertise.address=127.0.0.1",
        "-Djmesh.admin.port=" + adminPort);
  }

  /** Polls the agent's admin {@code /ready} until it answers 200. */
  static void awaitReady(int adminPort, Processes.Child app, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      if (!app.process.isAlive()) {
        throw new IllegalStateException(app.name + " exited: " + app.tail(15));
      }
      try {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + adminPort + "/ready").toURL()
            .openConnection();
        c.setConnectTimeout(500);
        c.setReadTimeout(1000);
        int code = c.getResponseCode();
        c.disconnect();
        if (code == 200) {
          return;
        }
        last = "HTTP " + code;
      } catch (IOException e) {
        last = e.toString();
      }
      Processes.sleep(50);
    }
    throw new IllegalStateException(app.name + ": agent admin /ready not 200 within " + timeout + " (" + last + "): "
        + app.tail(15));
  }

  void stop() {
    procs.stop(server);
  }
}
