package dev.jmesh.smoke;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A child JVM started by a test, its stdout and stderr going to files under target/smoke-logs.
 * Closing it kills it (and its descendants). Every process ever started is remembered in {@link
 * #ALL} so that a failing test can print their output ({@link PrintProcessOutputOnFailure}) and a
 * shutdown hook can kill whatever a crashed test left behind.
 */
class ManagedProcess implements AutoCloseable {

  static final List<ManagedProcess> ALL = new CopyOnWriteArrayList<>();
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> ALL.forEach(ManagedProcess::kill), "kill-children"));
  }

  private final String name;
  private final List<String> command;
  private final Process process;
  private final Path stdout;
  private final Path stderr;

  ManagedProcess(String name, List<String> command, Map<String, String> env) {
    this.name = name;
    this.command = List.copyOf(command);
    String base = String.format("%03d-%s", SEQUENCE.incrementAndGet(), name);
    this.stdout = SmokeEnvironment.logsDir().resolve(base + ".out");
    this.stderr = SmokeEnvironment.logsDir().resolve(base + ".err");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile())
            .redirectInput(ProcessBuilder.Redirect.PIPE);
    // A JAVA_TOOL_OPTIONS or JMESH_* setting of the test's own environment must not leak in.
    builder.environment().keySet().removeIf(k -> k.startsWith("JMESH_") || k.equals("JAVA_TOOL_OPTIONS"));
    builder.environment().putAll(env);
    try {
      this.process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + command, e);
    }
    ALL.add(this);
  }

  String name() {
    return name;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  Process process() {
    return process;
  }

  String stdout() {
    return read(stdout);
  }

  String stderr() {
    return read(stderr);
  }

  /** Lines of stderr. */
  List<String> stderrLines() {
    return stderr().lines().toList();
  }

  /** Lines the agent wrote to stderr (they carry the "[jmesh]" prefix). */
  List<String> agentStderrLines() {
    return stderr().lines().filter(line -> line.contains("[jmesh]")).toList();
  }

  /** Fails if the process has exited (with its output), so waits don't run into their deadline. */
  void assertAlive() {
    if (!process.isAlive()) {
      throw new AssertionError(
          name + " exited with code " + process.exitValue() + "\n" + describeOutput(80));
    }
  }

  /** Waits until stdout or stderr has a line containing {@code text}, and returns that line. */
  String awaitOutputLine(String text, Duration timeout) {
    return Poll.until(
        timeout,
        name + " to print a line containing \"" + text + "\"",
        () -> {
          List<String> lines = new ArrayList<>(stdout().lines().toList());
          lines.addAll(stderr().lines().toList());
          for (String line : lines) {
            if (line.contains(text)) {
              return line;
            }
          }
          assertAlive();
          return null;
        },
        line -> line != null);
  }

  String describeOutput(int maxLines) {
    return "----- " + name + " (" + String.join(" ", command) + ")\n"
        + "----- stdout " + stdout + "\n" + tail(stdout(), maxLines)
        + "----- stderr " + stderr + "\n" + tail(stderr(), maxLines);
  }

  private static String tail(String text, int maxLines) {
    List<String> lines = text.lines().toList();
    StringBuilder out = new StringBuilder();
    if (lines.size() > maxLines) {
      out.append("… (").append(lines.size() - maxLines).append(" lines before)\n");
    }
    lines.subList(Math.max(0, lines.size() - maxLines), lines.size())
        .forEach(line -> out.append(line).append('\n'));
    return out.toString();
  }

  private static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      // may be partially written UTF-8; read leniently
      try {
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
      } catch (IOException again) {
        throw new UncheckedIOException(again);
      }
    }
  }

  /** Kills the JVM and its descendants, and waits for it to be gone. */
  void kill() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Asks the JVM to exit (SIGTERM, so shutdown hooks run), then kills it after a grace period. */
  void stop(Duration grace) {
    process.destroy();
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        kill();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill();
    }
  }

  @Override
  public void close() {
    kill();
  }

  @Override
  public String toString() {
    return name;
  }
}
