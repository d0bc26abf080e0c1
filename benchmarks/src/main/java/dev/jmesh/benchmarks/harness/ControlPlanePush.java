package dev.jmesh.benchmarks.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Control-plane push: for each N, a fresh control server ({@code --heartbeat-interval 60s}, so no
 * simulated instance expires during the step), one join token for namespace {@code default}, and
 * {@code control/PushBenchmark} in its own JVM ({@code -Xmx512m}) with N simulated agents. A failure
 * is recorded as "not available" for that N; the run goes on.
 */
final class ControlPlanePush {

  private final Settings settings;
  private final Processes procs;
  /** N → the PushBenchmark's result (or {"error": …}). */
  final Map<Integer, JsonNode> results = new LinkedHashMap<>();
  String unavailable;

  ControlPlanePush(Settings settings, Processes procs) {
    this.settings = settings;
    this.procs = procs;
  }

  /** 100, 1,000, 2,000 (quick: 100); JMESH_BENCH_PUSH_AGENTS=1000,2000 overrides, for trying one size. */
  List<Integer> sizes() {
    String override = System.getenv("JMESH_BENCH_PUSH_AGENTS");
    if (override != null && !override.isBlank()) {
      return java.util.Arrays.stream(override.split(",")).map(String::trim).map(Integer::valueOf).toList();
    }
    return settings.quick() ? List.of(100) : List.of(100, 1000, 2000);
  }

  int changes() {
    return settings.quick() ? 1 : 3;
  }

  void run() {
    ObjectMapper json = new ObjectMapper();
    for (int n : sizes()) {
      System.out.println("control-plane push: " + n + " simulated agents");
      JmeshControl control = JmeshControl.start(settings, procs, "control-server-push-" + n,
          List.of("--heartbeat-interval", "60s"));
      if (control == null) {
        results.put(n, json.createObjectNode().put("error", JmeshControl.unavailableReason));
        continue;
      }
      try {
        String token = control.token("default");
        Path out = settings.work().resolve("push-" + n + ".json");
        Files.deleteIfExists(out);
        List<String> cmd = new ArrayList<>(List.of(settings.java().toString(), "-Xmx512m", "-XX:+UseSerialGC",
            "-cp", settings.benchmarksJar().toString(), "dev.jmesh.benchmarks.control.PushBenchmark",
            "--url", control.url(), "--data-dir", control.dataDir().toString(), "--token", token,
            "--server-pid", String.valueOf(control.pid()), "--agents", String.valueOf(n),
            "--changes", String.valueOf(changes()), "--identities", "20", "--rate", "200",
            "--change-timeout-seconds", settings.quick() ? "10" : "30",
            "--java-home", System.getProperty("java.home"), "--out", out.toString()));
        // Bounded: certificates, ramp at 200/s twice, changes, jcmd calls.
        Duration timeout = Duration.ofSeconds(60 + n / 200 * 3L + changes() * 35L);
        Processes.Result r = procs.run("push-" + n, cmd, Map.of(), timeout);
        JsonNode result = Files.isRegularFile(out) ? json.readTree(out.toFile()) : null;
        if (result == null) {
          String tail = r.output().trim();
          tail = tail.substring(Math.max(0, tail.length() - 300));
          result = json.createObjectNode().put("error", "PushBenchmark exited " + r.exitCode() + ": " + tail);
        }
        results.put(n, result);
      } catch (Exception e) {
        results.put(n, json.createObjectNode().put("error", e.toString()));
      } finally {
        control.stop();
      }
    }
  }
}
