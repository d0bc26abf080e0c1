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

/** Runs the JMH micro-benchmarks in a child JVM with {@code -prof gc}; keeps score and allocation per op. */
final class JmhRunner {

  /** What each benchmark class measures, as the results table says it (by class name). */
  private static final Map<String, String> MEASURES = Map.of(
      "MtlsPolicyBenchmark", "inbound: mTLS mode per connection / per snapshot",
      "MeshNamesBenchmark", "app: every InetAddress look-up",
      "EndpointPickerBenchmark", "egress: instance choice per connection",
      "RequestPathBenchmark", "both relays: request decode, header edit, encode (1 KB POST)",
      "ResponseScannerBenchmark", "both taps: response head and framing per response",
      "RequestSpanBenchmark", "both sides: span start and end, unsampled request");

  private final Settings settings;
  private final Processes procs;
  final List<Map<String, Object>> results = new ArrayList<>();
  String unavailable;

  JmhRunner(Settings settings, Processes procs) {
    this.settings = settings;
    this.procs = procs;
  }

  void run() {
    System.out.println("jmh: micro-benchmarks with -prof gc");
    Path out = settings.work().resolve("jmh.json");
    List<String> cmd = new ArrayList<>();
    if (settings.pinned()) {
      cmd.addAll(List.of("taskset", "-c", String.valueOf(Settings.SERVER_CPU)));
    }
    cmd.addAll(List.of(settings.java().toString(), "-Xmx256m", "-cp", settings.benchmarksJar().toString(),
        "org.openjdk.jmh.Main", "-f", "1", "-prof", "gc", "-rf", "json", "-rff", out.toString(), "-jvmArgs", "-Xmx256m"));
    if (settings.quick()) {
      cmd.addAll(List.of("-wi", "1", "-w", "1s", "-i", "1", "-r", "1s"));
    }
    // A full run takes each class's @Warmup/@Measurement: 3 + 3 one-second iterations, ten warm-up
    // seconds for the Netty request path. About 2.5 minutes for all of them.
    Processes.Result r = procs.run("jmh", cmd, Map.of(), Duration.ofMinutes(10));
    try {
      if (r.exitCode() != 0 || !Files.exists(out)) {
        unavailable = "JMH exited " + r.exitCode() + ": " + tail(r.output());
        return;
      }
      JsonNode all = new ObjectMapper().readTree(out.toFile());
      for (JsonNode b : all) {
        Map<String, Object> row = new LinkedHashMap<>();
        String name = b.get("benchmark").asText().replace("dev.jmesh.benchmarks.micro.", "");
        row.put("benchmark", name);
        row.put("measures", MEASURES.getOrDefault(name.substring(0, Math.max(0, name.indexOf('.'))), ""));
        row.put("score", b.at("/primaryMetric/score").asDouble());
        row.put("error", b.at("/primaryMetric/scoreError").asDouble());
        row.put("unit", b.at("/primaryMetric/scoreUnit").asText());
        JsonNode alloc = b.at("/secondaryMetrics/gc.alloc.rate.norm/score");
        if (alloc.isMissingNode()) {
          alloc = b.at("/secondaryMetrics/·gc.alloc.rate.norm/score");
        }
        row.put("allocBytesPerOp", alloc.isMissingNode() ? null : alloc.asDouble());
        results.add(row);
      }
      if (results.isEmpty()) {
        unavailable = "no benchmarks ran (was the policy module built? see run.sh): " + tail(r.output());
      }
    } catch (Exception e) {
      unavailable = "cannot read JMH results: " + e;
    }
  }

  private static String tail(String s) {
    String t = s.trim();
    return t.length() > 600 ? "…" + t.substring(t.length() - 600) : t;
  }
}
