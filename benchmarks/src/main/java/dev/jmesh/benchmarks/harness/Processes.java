package dev.jmesh.benchmarks.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Every child process the harness starts, so that all of them (and their descendants) are
 * destroyed when a set-up ends and, whatever happens, when the harness exits.
 */
final class Processes implements AutoCloseable {

  private final Path logDir;
  private final List<Process> running = new CopyOnWriteArrayList<>();

  Processes(Path logDir) {
    this.logDir = logDir;
    Runtime.getRuntime().addShutdownHook(new Thread(this::close, "kill-children"));
  }

  /** A started process whose output goes to a log file (stdout and stderr merged). */
  static final class Child {
    final String name;
    final Process process;
    final Path log;

    Child(String name, Process process, Path log) {
      this.name = name;
      this.process = process;
      this.log = log;
    }

    long pid() {
      return process.pid();
    }

    String output() {
      try {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
      } catch (IOException e) {
        return "";
      }
    }

    /** The last lines of the log, for error messages. */
    String tail(int lines) {
      String[] all = output().split("\n");
      StringBuilder sb = new StringBuilder();
      for (int i = Math.max(0, all.length - lines); i < all.length; i++) {
        sb.append(all[i]).append('\n');
      }
      return sb.toString().trim();
    }

    /** Polls the log until a line contains {@code text}; fails if the process dies or time is up. */
    void awaitLog(String text, Duration timeout) {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        if (output().contains(text)) {
          return;
        }
        if (!process.isAlive()) {
          throw new IllegalStateException(name + " exited (" + process.exitValue() + ") before printing \""
              + text + "\": " + tail(15));
        }
        sleep(20);
      }
      throw new IllegalStateException(name + " did not print \"" + text + "\" within " + timeout + ": " + tail(15));
    }
  }

  Child start(String name, List<String> command, Map<String, String> env) {
    Path log = logDir.resolve(name + ".log");
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    try {
      Process p = pb.start();
      running.add(p);
      return new Child(name, p, log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
  }

  /** Runs a command to completion (bounded), returning its exit code and output. */
  Result run(String name, List<String> command, Map<String, String> env, Duration timeout) {
    Child c = start(name, command, env);
    try {
      if (!c.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        stop(c);
        return new Result(-1, c.output() + "\n(timed out after " + timeout + ")");
      }
      return new Result(c.process.exitValue(), c.output());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop(c);
      return new Result(-1, "interrupted");
    } finally {
      running.remove(c.process);
    }
  }

  record Result(int exitCode, String output) {}

  /** Stops one child and its descendants: SIGTERM, then SIGKILL after 3 s. */
  void stop(Child child) {
    if (child != null) {
      destroy(child.process);
      running.remove(child.process);
    }
  }

  private static void destroy(Process p) {
    List<ProcessHandle> all = new ArrayList<>();
    p.descendants().forEach(all::add);
    all.add(p.toHandle());
    all.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + 3_000_000_000L;
    for (ProcessHandle h : all) {
      while (h.isAlive() && System.nanoTime() < deadline) {
        sleep(20);
      }
      if (h.isAlive()) {
        h.destroyForcibly();
      }
    }
  }

  @Override
  public void close() {
    for (Process p : running) {
      destroy(p);
    }
    running.clear();
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Reads a process's stdout fully (for short commands run without a log file). */
  static String readAll(Process p) throws IOException {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      StringBuilder sb = new StringBuilder();
      String line;
      while ((line = r.readLine()) != null) {
        sb.append(line).append('\n');
      }
      return sb.toString();
    }
  }
}
