package dev.jmesh.control.demo;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code demo}: a small mesh on this machine, on the embedded store. Starts a control server and
 * three unmodified sample services with the agent (frontend → orders → payments), applies a
 * mesh-wide STRICT PeerAuthentication with a PERMISSIVE exception for the frontend, drives some
 * traffic, shows who called whom over mTLS, and prints what to look at. Everything listens on
 * 127.0.0.1.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Run a demo mesh: a control server and three sample services with the agent,",
      "some traffic, and what to look at. Stops with Ctrl-C (or --exit-after-traffic)."
    })
public final class DemoCommand implements Callable<Integer> {

  @Option(
      names = "--data-dir",
      defaultValue = "jmesh-demo-data",
      description = "Control server data directory (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(
      names = "--port",
      defaultValue = "15012",
      description = "Control server port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--agent-jar",
      defaultValue = "agent/target/jmesh-agent.jar",
      description = "The agent jar (default: ${DEFAULT-VALUE}).")
  Path agentJar;

  @Option(
      names = "--apps-jar",
      defaultValue = "smoke-tests/target/jmesh-sample-apps.jar",
      description =
          "The sample apps jar; its libraries are in sample-libs/ beside it"
              + " (default: ${DEFAULT-VALUE}).")
  Path appsJar;

  @Option(
      names = "--exit-after-traffic",
      description = "Stop everything after the traffic instead of waiting for Ctrl-C.")
  boolean exitAfterTraffic;

  private final List<Process> processes = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    for (Path required : List.of(agentJar, appsJar)) {
      if (!Files.isRegularFile(required)) {
        System.err.println(
            "demo: "
                + required
                + " does not exist; build first with"
                + " 'mvn -q -DskipTests package' from the repository root");
        return 1;
      }
    }
    Runtime.getRuntime().addShutdownHook(new Thread(this::stopAll, "demo-stop"));
    Files.createDirectories(dataDir.resolve("logs"));
    String server = "https://127.0.0.1:" + port;

    step("starting the control server on " + server + " (data in " + dataDir + ")");
    Path serverLog = dataDir.resolve("logs/control-server.log");
    start(
        List.of(
            java(),
            "-Xmx128m",
            "-jar",
            ownJar(),
            "serve",
            "--data-dir",
            dataDir.toString(),
            "--port",
            String.valueOf(port)),
        serverLog);
    waitFor(
        () -> Files.exists(serverLog) && Files.readString(serverLog).contains("ready"),
        "the control server to be ready (see " + serverLog + ")");

    step(
        "applying policy: STRICT mTLS mesh-wide, PERMISSIVE for the frontend (it takes"
            + " plaintext from you)");
    Path policy = dataDir.resolve("demo-policy.yaml");
    Files.writeString(policy, POLICY);
    cli("apply", "-f", policy.toString(), "--server", server, "--data-dir", dataDir.toString());

    List<DemoService> services =
        List.of(
            new DemoService("frontend", "dev.jmesh.samples.JdkHttpServerApp", 18081, 15031),
            new DemoService("orders", "dev.jmesh.samples.JettyApp", 18082, 15032),
            new DemoService("payments", "dev.jmesh.samples.JdkHttpServerApp", 18083, 15033));
    for (DemoService service : services) {
      String token =
          cli(
                  "token",
                  "create",
                  "--namespace",
                  "default",
                  "--service",
                  service.name(),
                  "--server",
                  server,
                  "--data-dir",
                  dataDir.toString())
              .trim();
      step(
          "starting "
              + service.name()
              + " ("
              + service.mainClass().replace("dev.jmesh.samples.", "")
              + ") on 127.0.0.1:"
              + service.port()
              + " with the agent");
      start(
          service.command(java(), agentJar, appsJar, server, token),
          dataDir.resolve("logs/" + service.name() + ".log"));
    }
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    for (DemoService service : services) {
      waitFor(
          () -> status(http, "http://127.0.0.1:" + service.adminPort() + "/ready") == 200,
          service.name() + "'s agent to be ready (see " + dataDir.resolve("logs") + ")");
    }

    step("traffic: you → frontend (plaintext, PERMISSIVE) → orders → payments (mTLS)");
    String payments = "http://payments:18083/headers";
    String orders = "http://orders:18082/call?url=" + encode(payments);
    String viaFrontend = "http://127.0.0.1:18081/call?url=" + encode(orders);
    for (int i = 1; i <= 5; i++) {
      try {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(viaFrontend))
            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        System.out.println("  request " + i + ": HTTP " + response.statusCode()
            + (i == 1 ? ", payments saw " + clientIdentities(response.body()) : ""));
      } catch (IOException e) {
        System.out.println("  request " + i + " failed: " + e);
      }
    }
    step("a plaintext request straight to orders (STRICT) is refused:");
    try {
      int code = status(http, "http://127.0.0.1:18082/hello");
      System.out.println("  unexpected: HTTP " + code);
    } catch (IOException refused) {
      System.out.println("  refused: " + refused.getClass().getSimpleName());
    }

    step("the service graph, as the agents report it (every 5 s):");
    printGraph(server);

    System.out.println();
    System.out.println("Look at:");
    System.out.println(
        "  java -jar " + ownJar() + " status --server " + server + " --data-dir " + dataDir);
    System.out.println(
        "  java -jar "
            + ownJar()
            + " get peerauthentication -A --server "
            + server
            + " --data-dir "
            + dataDir);
    System.out.println(
        "  java -jar " + ownJar() + " stats --server " + server + " --data-dir " + dataDir);
    System.out.println(
        "  java -jar " + ownJar() + " graph --server " + server + " --data-dir " + dataDir);
    for (DemoService service : services) {
      System.out.println(
          "  curl http://127.0.0.1:"
              + service.adminPort()
              + "/config_dump   # "
              + service.name()
              + "'s identity, policy and connections");
    }
    System.out.println("  logs in " + dataDir.resolve("logs"));
    if (exitAfterTraffic) {
      stopAll();
      return 0;
    }
    System.out.println("The mesh keeps running; Ctrl-C stops it.");
    Thread.currentThread().join();
    return 0;
  }

  /**
   * Prints {@code graph} once the agents' reports show the whole call chain (they report every 5
   * s); after 20 s, whatever the graph shows then.
   */
  private void printGraph(String server) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    String graph;
    while (true) {
      graph = cli("graph", "--server", server, "--data-dir", dataDir.toString());
      if (graph.contains("orders.default -> payments.default")
          || System.nanoTime() > deadline) {
        break;
      }
      Thread.sleep(2000);
    }
    graph.lines().forEach(line -> System.out.println("  " + line));
  }

  private static final String POLICY =
      String.join(
          "\n",
          "apiVersion: security.istio.io/v1",
          "kind: PeerAuthentication",
          "metadata:",
          "  name: default",
          "  namespace: istio-system",
          "spec:",
          "  mtls:",
          "    mode: STRICT",
          "---",
          "apiVersion: security.istio.io/v1",
          "kind: PeerAuthentication",
          "metadata:",
          "  name: frontend-accepts-plaintext",
          "  namespace: default",
          "spec:",
          "  selector:",
          "    matchLabels:",
          "      app: frontend",
          "  mtls:",
          "    mode: PERMISSIVE",
          "");

  private static final Pattern XFCC_PART = Pattern.compile("(By|URI)=(spiffe://[^;\"\\\\]+)");

  /** The identities in the x-forwarded-client-cert header that payments echoed back. */
  private static String clientIdentities(String body) {
    Matcher parts = XFCC_PART.matcher(body);
    List<String> found = new ArrayList<>();
    while (parts.find()) {
      found.add((parts.group(1).equals("URI") ? "caller " : "itself ") + parts.group(2));
    }
    return found.isEmpty() ? "no client certificate" : String.join(", ", found);
  }

  private static String encode(String url) {
    return URLEncoder.encode(url, StandardCharsets.UTF_8);
  }

  private static int status(HttpClient http, String url) throws IOException {
    try {
      return http.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  private String cli(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(java(), "-jar", ownJar()));
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IllegalStateException("demo: '" + String.join(" ", args) + "' failed");
    }
    return out;
  }

  private void start(List<String> command, Path log) throws IOException {
    processes.add(
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start());
  }

  private void stopAll() {
    for (int i = processes.size() - 1; i >= 0; i--) {
      processes.get(i).destroy();
    }
    processes.clear();
  }

  private interface Check {
    boolean passes() throws Exception;
  }

  private static void waitFor(Check check, String what) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (check.passes()) {
          return;
        }
      } catch (IOException notYet) {
        // keep polling until the deadline
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("demo: timed out waiting for " + what);
  }

  private static void step(String message) {
    System.out.println("==> " + message);
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static String ownJar() {
    try {
      return new File(DemoCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .getPath();
    } catch (Exception e) {
      throw new IllegalStateException("demo must run from jmesh-control-server.jar", e);
    }
  }
}
