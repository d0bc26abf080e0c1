package dev.jmesh.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The control server as a child JVM ({@code java -jar jmesh-control-server.jar serve}) on a free
 * port with its own data directory, and its CLI ({@code token create}, {@code apply -f}, {@code
 * get}, …) run as further short-lived JVMs against it.
 */
final class ControlServer implements AutoCloseable {

  static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Pattern TOKEN = Pattern.compile("jmesh1\\.[0-9a-f]+\\.[0-9a-f]+\\.[0-9a-f]{64}");

  private final Path dataDir;
  private final int port;
  private final List<String> serveOptions;
  private ManagedProcess process;

  private ControlServer(Path dataDir, int port, List<String> serveOptions) {
    this.dataDir = dataDir;
    this.port = port;
    this.serveOptions = List.copyOf(serveOptions);
  }

  /** Options for {@code serve}. */
  static final class Options {
    private String certTtl;
    private String heartbeatInterval = "1s";
    private Path dataDir;
    private Integer port;

    Options certTtl(String ttl) {
      this.certTtl = ttl;
      return this;
    }

    Options heartbeatInterval(String interval) {
      this.heartbeatInterval = interval;
      return this;
    }

    Options dataDir(Path dir) {
      this.dataDir = dir;
      return this;
    }

    Options port(int port) {
      this.port = port;
      return this;
    }
  }

  static Options options() {
    return new Options();
  }

  /** Starts a control server with default options and waits until it is ready. */
  static ControlServer start() {
    return start(options());
  }

  static ControlServer start(Options options) {
    ControlServer server = create(options);
    server.startProcess();
    return server;
  }

  /**
   * Prepares a control server (data directory, port) without starting it: tests that need the
   * server's address before it runs call {@link #startProcess()} later.
   */
  static ControlServer create(Options options) {
    Path dataDir = options.dataDir;
    try {
      if (dataDir == null) {
        dataDir = Files.createTempDirectory(SmokeEnvironment.logsDir(), "control-data-");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> serve = new ArrayList<>();
    if (options.certTtl != null) {
      serve.add("--cert-ttl");
      serve.add(options.certTtl);
    }
    if (options.heartbeatInterval != null) {
      serve.add("--heartbeat-interval");
      serve.add(options.heartbeatInterval);
    }
    int port = options.port != null ? options.port : FreePorts.next();
    return new ControlServer(dataDir, port, serve);
  }

  /** Starts the server process and waits for its "ready" line. */
  void startProcess() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("already running");
    }
    List<String> command = new ArrayList<>();
    command.add(SmokeEnvironment.defaultJava().toString());
    command.add("-Xmx128m");
    command.add("-XX:+UseSerialGC");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-jar");
    command.add(SmokeEnvironment.controlServerJar().toString());
    command.add("serve");
    command.add("--data-dir");
    command.add(dataDir.toString());
    command.add("--port");
    command.add(String.valueOf(port));
    command.addAll(serveOptions);
    process = new ManagedProcess("control-server", command, Map.of());
    process.awaitOutputLine("ready", START_TIMEOUT);
  }

  String url() {
    return "https://127.0.0.1:" + port;
  }

  int port() {
    return port;
  }

  Path dataDir() {
    return dataDir;
  }

  ManagedProcess process() {
    return process;
  }

  /** The result of one CLI command. */
  record CliResult(List<String> command, int exitCode, String stdout, String stderr) {
    @Override
    public String toString() {
      return "`" + String.join(" ", command) + "` exited " + exitCode
          + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
    }
  }

  /** Runs {@code java -jar jmesh-control-server.jar <args> --server <url> --data-dir <dir>}. */
  CliResult cli(String... args) {
    List<String> command = new ArrayList<>();
    command.add(SmokeEnvironment.defaultJava().toString());
    command.add("-Xmx96m");
    command.add("-XX:+UseSerialGC");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-jar");
    command.add(SmokeEnvironment.controlServerJar().toString());
    command.addAll(List.of(args));
    command.add("--server");
    command.add(url());
    command.add("--data-dir");
    command.add(dataDir.toString());
    try {
      Path out = Files.createTempFile(SmokeEnvironment.logsDir(), "cli-", ".out");
      Path err = Files.createTempFile(SmokeEnvironment.logsDir(), "cli-", ".err");
      Process cli =
          new ProcessBuilder(command)
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .start();
      if (!cli.waitFor(60, TimeUnit.SECONDS)) {
        cli.destroyForcibly();
        fail("CLI did not finish within 60 s: " + command);
      }
      return new CliResult(
          command,
          cli.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Runs a CLI command and fails unless it exits 0. */
  CliResult cliOk(String... args) {
    CliResult result = cli(args);
    assertEquals(0, result.exitCode(), () -> "CLI command failed: " + result);
    return result;
  }

  /** Creates a join token for a namespace, scoped to one service unless {@code service} is null. */
  String createToken(String namespace, String service) {
    List<String> args = new ArrayList<>(List.of("token", "create", "--namespace", namespace));
    if (service != null) {
      args.add("--service");
      args.add(service);
    }
    CliResult result = cliOk(args.toArray(String[]::new));
    Matcher token = TOKEN.matcher(result.stdout());
    if (!token.find()) {
      fail("no join token in the output of " + result);
    }
    return token.group();
  }

  /** Writes {@code yaml} to a file and runs {@code apply -f <file>}. */
  CliResult apply(String yaml) {
    try {
      Path file = Files.createTempFile(SmokeEnvironment.logsDir(), "policy-", ".yaml");
      Files.writeString(file, yaml, StandardCharsets.UTF_8);
      return cli("apply", "-f", file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  CliResult applyOk(String yaml) {
    CliResult result = apply(yaml);
    assertEquals(0, result.exitCode(), () -> "apply failed: " + result);
    return result;
  }

  /** Stops the server (the data directory stays, so it can be started again). */
  void stop() {
    if (process != null) {
      process.stop(Duration.ofSeconds(5));
    }
  }

  @Override
  public void close() {
    if (process != null) {
      process.kill();
    }
  }
}
