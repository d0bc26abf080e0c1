package dev.jmesh.benchmarks.harness;

import java.nio.file.Files;
import java.nio.file.Path;

/** What one run of the harness does: how long, how often, where the built jars and tools are. */
record Settings(
    boolean quick,
    Path root,
    Path out,
    Path work,
    Path benchmarksJar,
    Path java,
    int rounds,
    double jitWarmupSeconds,
    double warmupSeconds,
    double measureSeconds,
    int maxConnections,
    int openLoopConnections,
    int startupRuns,
    double tlsSeconds,
    boolean pinned) {

  static final int CLIENT_CPU = 0;
  static final int SERVER_CPU = 1;

  static Settings of(boolean quick, Path root, Path out, Path work) {
    Path jar = root.resolve("benchmarks/target/jmesh-benchmarks.jar");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    // JMESH_BENCH_PIN=off leaves every process unpinned, to tell scheduling on one core from the code.
    boolean pinned = Files.isExecutable(Path.of("/usr/bin/taskset")) && Runtime.getRuntime().availableProcessors() >= 2
        && !"off".equals(System.getenv("JMESH_BENCH_PIN"));
    return quick
        ? new Settings(true, root, out, work, jar, java, 1, 1, 1.5, 2.5, 16, 4, 2, 2, pinned)
        : new Settings(false, root, out, work, jar, java, fullRounds(), fullJitWarmupSeconds(), 2, 8, 16, 4, 5, 5, pinned);
  }

  /** 3; {@code JMESH_BENCH_ROUNDS} overrides, for a shorter look at one change (not for results). */
  private static int fullRounds() {
    String override = System.getenv("JMESH_BENCH_ROUNDS");
    return override == null || override.isBlank() ? 3 : Integer.parseInt(override.trim());
  }

  /** 10; {@code JMESH_BENCH_JIT_WARMUP_SECONDS} overrides, to see whether a phase still carries JIT work. */
  private static double fullJitWarmupSeconds() {
    String override = System.getenv("JMESH_BENCH_JIT_WARMUP_SECONDS");
    return override == null || override.isBlank() ? 10 : Double.parseDouble(override.trim());
  }

  /** The run's JDK's {@code jcmd}, for live-heap readings. */
  Path jcmd() {
    return java.resolveSibling("jcmd");
  }

  Path agentJar() {
    return root.resolve("agent/target/jmesh-agent.jar");
  }

  Path controlServerJar() {
    return root.resolve("control-server/target/jmesh-control-server.jar");
  }

  Path otelAgentJar() {
    return root.resolve("benchmarks/target/otel/opentelemetry-javaagent.jar");
  }
}
