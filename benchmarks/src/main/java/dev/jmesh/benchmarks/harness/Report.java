package dev.jmesh.benchmarks.harness;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Turns the measurements into the summary (medians over rounds; added = setup's median − baseline's
 * median in the same run) and the targets of issue 4, as JSON and as Markdown.
 */
final class Report {

  static final String[] PHASES = {"1,000 rps (open loop)", "2,000 rps (open loop)", "max throughput (closed loop)"};
  static final String[] PCT = {"p50", "p90", "p99", "p999"};

  private final Settings settings;
  private final DataPlane dataPlane;
  private final Startup startup;
  private final TlsRunner tls;
  private final JmhRunner jmh;
  private final ControlPlanePush push;
  /** setup → phase index → metric → median. */
  private final Map<String, List<Map<String, Double>>> summary = new LinkedHashMap<>();
  private final List<Map<String, Object>> targets = new ArrayList<>();

  Report(Settings settings, DataPlane dataPlane, Startup startup, TlsRunner tls, JmhRunner jmh, ControlPlanePush push) {
    this.push = push;
    this.settings = settings;
    this.dataPlane = dataPlane;
    this.startup = startup;
    this.tls = tls;
    this.jmh = jmh;
    summarise();
    evaluateTargets();
  }

  private void summarise() {
    for (String setup : dataPlane.setups) {
      List<JsonNode> rounds = dataPlane.rounds.get(setup);
      if (rounds.isEmpty()) {
        continue;
      }
      List<Map<String, Double>> phases = new ArrayList<>();
      for (int p = 0; p < PHASES.length; p++) {
        Map<String, List<Double>> values = new LinkedHashMap<>();
        for (JsonNode round : rounds) {
          JsonNode phase = round.get("phases").get(p);
          if (phase == null || phase.isNull()) {
            continue;
          }
          for (String pct : PCT) {
            add(values, pct, phase.at("/latencyUs/" + pct).asDouble());
          }
          add(values, "rps", phase.get("rps").asDouble());
          add(values, "errors", phase.get("errors").asDouble());
          long requests = phase.get("requests").asLong() + phase.get("errors").asLong();
          long clientPid = phase.get("clientPid").asLong();
          long serverPid = round.get("serverPid").asLong();
          double client = 0;
          double server = 0;
          double proxies = 0;
          var it = phase.get("cpuSeconds").fields();
          while (it.hasNext()) {
            var e = it.next();
            long pid = Long.parseLong(e.getKey());
            double s = e.getValue().asDouble();
            if (pid == clientPid) {
              client += s;
            } else if (pid == serverPid) {
              server += s;
            } else {
              proxies += s;
            }
          }
          if (requests > 0) {
            add(values, "cpuPer1kClient", client / requests * 1000);
            add(values, "cpuPer1kServer", server / requests * 1000);
            add(values, "cpuPer1kProxies", proxies / requests * 1000);
            add(values, "cpuPer1k", (client + server + proxies) / requests * 1000);
          }
          add(values, "loadedRssMb", phase.get("serverRssKb").asDouble() / 1024);
          add(values, "idleRssMb", round.get("idleServerRssKb").asDouble() / 1024);
          add(values, "idleHeapMb", heapMb(round.get("idleServerLiveHeapKb")));
          add(values, "loadedHeapMb", heapMb(round.get("loadedServerLiveHeapKb")));
        }
        Map<String, Double> medians = new LinkedHashMap<>();
        values.forEach((k, v) -> medians.put(k, median(v)));
        phases.add(medians);
      }
      summary.put(setup, phases);
    }
  }

  /** KiB → MB; NaN (left out of medians) when the reading is missing or failed. */
  private static double heapMb(JsonNode kb) {
    return kb == null || kb.asLong(-1) < 0 ? Double.NaN : kb.asDouble() / 1024;
  }

  private static void add(Map<String, List<Double>> values, String key, double v) {
    values.computeIfAbsent(key, k -> new ArrayList<>()).add(v);
  }

  static Double median(List<Double> values) {
    List<Double> v = new ArrayList<>();
    for (Double d : values) {
      if (d != null && !d.isNaN()) {
        v.add(d);
      }
    }
    if (v.isEmpty()) {
      return null;
    }
    Collections.sort(v);
    int n = v.size();
    return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
  }

  private Double metric(String setup, int phase, String key) {
    List<Map<String, Double>> phases = summary.get(setup);
    return phases == null || phases.size() <= phase ? null : phases.get(phase).get(key);
  }

  private Double added(String setup, int phase, String key) {
    Double s = metric(setup, phase, key);
    Double b = metric(DataPlane.BASELINE, phase, key);
    return s == null || b == null ? null : s - b;
  }

  private static Double ratio(Double a, Double b) {
    return a == null || b == null || b == 0 ? null : a / b;
  }

  private Double startupMedian(String variant) {
    return median(startup.millis.get(variant));
  }

  private Double startupRssMb(String variant) {
    List<Double> mb = new ArrayList<>();
    startup.idleRssKb.get(variant).forEach(kb -> mb.add(kb / 1024.0));
    return median(mb);
  }

  private void evaluateTargets() {
    String jmeshWhy = dataPlane.unavailable.containsKey(DataPlane.JMESH) ? "jmesh not available (see Data plane)" : null;
    Double a50 = added(DataPlane.JMESH, 0, "p50");
    Double a99 = added(DataPlane.JMESH, 0, "p99");
    Double s50 = added(DataPlane.SIDECAR, 0, "p50");
    Double s99 = added(DataPlane.SIDECAR, 0, "p99");
    // An added latency below zero means the run's noise was larger than the effect: no verdict.
    latencyTarget("added latency p50 at 1,000 rps, 1 KB", "≤ 50 µs", a50, a50 != null && a50 <= 50, us(a50), jmeshWhy);
    latencyTarget("added latency p99 at 1,000 rps, 1 KB", "≤ 150 µs", a99, a99 != null && a99 <= 150, us(a99), jmeshWhy);
    Double r50 = s50 == null || s50 <= 0 || a50 == null || a50 < 0 ? null : ratio(a50, s50);
    Double r99 = s99 == null || s99 <= 0 || a99 == null || a99 < 0 ? null : ratio(a99, s99);
    latencyTarget("added p50, jmesh / sidecar pair", "≤ 0.25", r50 == null && a50 != null ? Double.valueOf(-1) : r50,
        r50 != null && r50 <= 0.25, num(r50, 2) + " (jmesh adds " + us(a50) + ", sidecar " + us(s50) + ")", jmeshWhy);
    latencyTarget("added p99, jmesh / sidecar pair", "≤ 0.33", r99 == null && a99 != null ? Double.valueOf(-1) : r99,
        r99 != null && r99 <= 1.0 / 3, num(r99, 2) + " (jmesh adds " + us(a99) + ", sidecar " + us(s99) + ")", jmeshWhy);
    Double cpuJ = added(DataPlane.JMESH, 0, "cpuPer1k");
    Double cpuS = added(DataPlane.SIDECAR, 0, "cpuPer1k");
    Double cpuR = ratio(cpuJ, cpuS);
    target("CPU added, jmesh / sidecar pair (1,000 rps)", "≤ 0.33", cpuR, cpuR == null ? null : cpuR <= 1.0 / 3,
        num(cpuR, 2) + " (sidecar adds " + num(cpuS, 3) + " vCPU)", jmeshWhy);
    target("CPU added per 1,000 rps, both sides", "≤ 0.06 vCPU", cpuJ, cpuJ == null ? null : cpuJ <= 0.06,
        num(cpuJ, 3) + " vCPU", jmeshWhy);
    Double tJ = ratio(metric(DataPlane.JMESH, 2, "rps"), metric(DataPlane.BASELINE, 2, "rps"));
    Double tS = ratio(metric(DataPlane.JMESH, 2, "rps"), metric(DataPlane.SIDECAR, 2, "rps"));
    Double tH = ratio(metric(DataPlane.APP_WITH_MESH_HEADERS, 2, "rps"), metric(DataPlane.BASELINE, 2, "rps"));
    target("max throughput, jmesh / baseline", "≥ 0.85", tJ, tJ == null ? null : tJ >= 0.85,
        pct(tJ) + (tH == null ? "" : " (the app alone, sent the mesh's headers: " + pct(tH) + ")"), jmeshWhy);
    target("max throughput, jmesh / sidecar pair", "≥ 1.5×", tS, tS == null ? null : tS >= 1.5, num(tS, 2) + "×", jmeshWhy);
    String startWhy = startup.unavailable.containsKey("jmesh") ? "jmesh not available (see start-up)" : null;
    Double none = startupMedian("none");
    Double jm = startupMedian("jmesh");
    Double ot = startupMedian("otel");
    Double addedStart = jm == null || none == null ? null : (jm - none) / none;
    target("start-up added (to first served request)", "≤ 10 %", addedStart,
        addedStart == null ? null : addedStart <= 0.10, pct(addedStart) + " (" + ms(jm == null || none == null ? null : jm - none) + ")", startWhy);
    Double vsOtel = jm == null || none == null || ot == null ? null : (jm - none) / (ot - none);
    target("start-up added, jmesh / OpenTelemetry agent", "≤ 0.5", vsOtel, vsOtel == null ? null : vsOtel <= 0.5,
        num(vsOtel, 2) + " (OTel adds " + ms(ot == null || none == null ? null : ot - none) + ")",
        startWhy != null ? startWhy : startup.unavailable.get("otel"));
    Double rssJ = startupRssMb("jmesh");
    Double rssN = startupRssMb("none");
    Double rssAdded = rssJ == null || rssN == null ? null : rssJ - rssN;
    target("idle RSS added", "≤ 25 MB", rssAdded, rssAdded == null ? null : rssAdded <= 25, num(rssAdded, 1) + " MB", startWhy);
    // The agent's default engine (BoringSSL through Netty's OpenSSL engine) against openssl s_time.
    Double hs = (Double) tls.result.get("handshakeCpuRatioAgentOverOpenssl");
    Double jdkHs = (Double) tls.result.get("handshakeCpuRatioJdkOverOpenssl");
    target("mTLS handshake CPU, agent's TLS (BoringSSL) / OpenSSL", "≤ 2×", hs, hs == null ? null : hs <= 2,
        num(hs, 2) + "× (JDK TLS " + num(jdkHs, 2) + "×)",
        hs == null ? "TLS measurement failed: " + tls.result : null);
    JsonNode big = push.results.get(2000);
    String bigWhy = push.unavailable != null ? push.unavailable
        : big == null ? "N = 2,000 not run" + (settings.quick() ? " (quick run: N = 100 only)" : "")
        : big.has("error") ? "not available: " + big.get("error").asText() : null;
    Double ackP99 = bigWhy == null && big.at("/ackedMs/p99").isNumber() ? big.at("/ackedMs/p99").asDouble() : null;
    int acked = bigWhy == null ? big.at("/ackedMs/count").asInt() : 0;
    int expected = bigWhy == null ? big.at("/ackedMs/expected").asInt() : 0;
    if (bigWhy == null && acked < expected && acked * 100 < expected * 99) {
      // Agents that never ACKed within the wait rank above every one that did: p99 is beyond the wait.
      double wait = big.path("waitPerChangeSeconds").asDouble();
      target("policy push p99 to 2,000 agents (until ACK)", "≤ 1 s", wait, false,
          "> " + num(wait, 0) + " s (only " + acked + " of " + expected + " ACKs within the wait)", null);
    } else {
      target("policy push p99 to 2,000 agents (until ACK)", "≤ 1 s", ackP99 == null ? null : ackP99 / 1000,
          ackP99 == null ? null : ackP99 <= 1000, num(ackP99, 0) + " ms", bigWhy == null ? "no ACK arrived" : bigWhy);
    }
    Double perAgentMb = bigWhy == null && big.path("rssPerAgentKb").isNumber() ? big.get("rssPerAgentKb").asDouble() / 1024 : null;
    target("control-server memory per agent (RSS, N = 2,000)", "≤ 0.1 MB", perAgentMb,
        perAgentMb == null ? null : perAgentMb <= 0.1, num(perAgentMb, 3) + " MB", bigWhy);
  }

  /** A latency target; a negative value (added below zero) is reported as inconclusive. */
  private void latencyTarget(String name, String goal, Double value, boolean met, String shown, String whyMissing) {
    if (value != null && value < 0) {
      Map<String, Object> t = new LinkedHashMap<>();
      t.put("target", name);
      t.put("goal", goal);
      t.put("value", null);
      t.put("result", shown);
      t.put("status", "inconclusive: the run's noise exceeds the effect (an added latency below zero)");
      targets.add(t);
      return;
    }
    target(name, goal, value, met, shown, whyMissing);
  }

  private void target(String name, String goal, Double value, Boolean met, String shown, String whyMissing) {
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("target", name);
    t.put("goal", goal);
    t.put("value", value);
    t.put("result", value == null ? "—" : shown);
    t.put("status", value == null
        ? "not measured" + (whyMissing == null ? "" : ": " + whyMissing)
        : (met ? "met" : "MISSED"));
    targets.add(t);
  }

  Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    Map<String, Object> dp = new LinkedHashMap<>();
    dp.put("phases", List.of(PHASES));
    dp.put("summary", summary);
    dp.put("unavailable", dataPlane.unavailable);
    dp.put("rounds", dataPlane.rounds);
    m.put("dataPlane", dp);
    Map<String, Object> st = new LinkedHashMap<>();
    st.put("millisToFirstRequest", startup.millis);
    st.put("idleRssKb", startup.idleRssKb);
    st.put("unavailable", startup.unavailable);
    m.put("startup", st);
    m.put("tls", tls.result);
    m.put("jmh", jmh.unavailable != null ? Map.of("unavailable", jmh.unavailable) : jmh.results);
    Map<String, Object> cp = new LinkedHashMap<>();
    if (push.unavailable != null) {
      cp.put("unavailable", push.unavailable);
    }
    push.results.forEach((n, r) -> cp.put(String.valueOf(n), r));
    m.put("controlPlanePush", cp);
    m.put("targets", targets);
    return m;
  }

  String markdown(Map<String, Object> results) {
    StringBuilder md = new StringBuilder();
    @SuppressWarnings("unchecked")
    Map<String, Object> machine = (Map<String, Object>) results.get("machine");
    md.append("# jmesh benchmark results\n\n");
    md.append("- date: ").append(results.get("date")).append('\n');
    md.append("- mode: ").append(results.get("mode")).append('\n');
    machine.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
    md.append(String.format(Locale.ROOT, "- data plane: %d round(s) of %s, fresh JVMs warmed up for %.1f s (closed loop, discarded), then each phase %.1f s warm-up + %.1f s measured; "
        + "open loop on %d keep-alive connections, closed loop on %d; 1 KB request and response bodies; "
        + "jmesh with STRICT mTLS, Istio metrics and tracing (spans exported over OTLP to a local sink, sampling %s)\n\n",
        settings.rounds(),
        dataPlane.setups.stream()
            .map(s -> s.equals(DataPlane.APP_WITH_MESH_HEADERS) ? s + " (maximum throughput only)" : s)
            .collect(Collectors.joining(" → ")),
        settings.jitWarmupSeconds(), settings.warmupSeconds(), settings.measureSeconds(), settings.openLoopConnections(), settings.maxConnections(),
        DataPlane.traceSampling()));

    md.append("## Targets (issue 4)\n\n| target | goal | result | status |\n|---|---|---|---|\n");
    for (Map<String, Object> t : targets) {
      md.append("| ").append(t.get("target")).append(" | ").append(t.get("goal")).append(" | ").append(t.get("result"))
          .append(" | ").append(t.get("status")).append(" |\n");
    }

    md.append("\n## Data plane\n\n");
    if (!dataPlane.unavailable.isEmpty()) {
      dataPlane.unavailable.forEach((k, v) -> md.append("- **").append(k).append(": not available** — ").append(v).append('\n'));
      md.append('\n');
    }
    for (int p = 0; p < PHASES.length; p++) {
      md.append("### ").append(PHASES[p]).append("\n\n");
      md.append("| set-up | p50 µs | p90 µs | p99 µs | p99.9 µs | achieved rps | errors | CPU s / 1k req (all) | load gen | server | proxies | server RSS idle / loaded MB | server live heap idle / after load MB |\n");
      md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
      for (String setup : dataPlane.setups) {
        if (!summary.containsKey(setup)) {
          md.append("| ").append(setup).append(" | not available ||||||||||||\n");
          continue;
        }
        md.append("| ").append(setup);
        for (String pct : PCT) {
          md.append(" | ").append(num(metric(setup, p, pct), 0));
        }
        md.append(" | ").append(num(metric(setup, p, "rps"), 0))
            .append(" | ").append(num(metric(setup, p, "errors"), 0))
            .append(" | ").append(num(metric(setup, p, "cpuPer1k"), 3))
            .append(" | ").append(num(metric(setup, p, "cpuPer1kClient"), 3))
            .append(" | ").append(num(metric(setup, p, "cpuPer1kServer"), 3))
            .append(" | ").append(num(metric(setup, p, "cpuPer1kProxies"), 3))
            .append(" | ").append(num(metric(setup, p, "idleRssMb"), 0)).append(" / ").append(num(metric(setup, p, "loadedRssMb"), 0))
            .append(" | ").append(num(metric(setup, p, "idleHeapMb"), 1)).append(" / ").append(num(metric(setup, p, "loadedHeapMb"), 1))
            .append(" |\n");
      }
      if (p < 2) {
        md.append("\nAdded over baseline (µs):\n\n| set-up | p50 | p90 | p99 | p99.9 | CPU s / 1k req |\n|---|---|---|---|---|---|\n");
        List<String> meshes = new ArrayList<>(List.of(DataPlane.JMESH, DataPlane.SIDECAR));
        if (dataPlane.setups.contains(DataPlane.APPS_OWN_TLS)) {
          meshes.add(DataPlane.APPS_OWN_TLS);
        }
        for (String setup : meshes) {
          md.append("| ").append(setup);
          for (String pct : PCT) {
            md.append(" | ").append(num(added(setup, p, pct), 0));
          }
          md.append(" | ").append(num(added(setup, p, "cpuPer1k"), 3)).append(" |\n");
        }
        md.append("| jmesh / sidecar");
        for (String pct : PCT) {
          md.append(" | ").append(num(ratio(added(DataPlane.JMESH, p, pct), added(DataPlane.SIDECAR, p, pct)), 2));
        }
        md.append(" | ").append(num(ratio(added(DataPlane.JMESH, p, "cpuPer1k"), added(DataPlane.SIDECAR, p, "cpuPer1k")), 2))
            .append(" |\n");
      } else {
        md.append("\nThroughput: jmesh / baseline ").append(pct(ratio(metric(DataPlane.JMESH, 2, "rps"), metric(DataPlane.BASELINE, 2, "rps"))))
            .append(", sidecar / baseline ").append(pct(ratio(metric(DataPlane.SIDECAR, 2, "rps"), metric(DataPlane.BASELINE, 2, "rps"))))
            .append(", jmesh / sidecar ").append(num(ratio(metric(DataPlane.JMESH, 2, "rps"), metric(DataPlane.SIDECAR, 2, "rps")), 2))
            .append("×\n");
        if (dataPlane.setups.contains(DataPlane.APP_WITH_MESH_HEADERS)) {
          md.append("\nThe app alone, no mesh, sent the headers the two agents add (`x-request-id`, `traceparent`, `x-forwarded-client-cert`; Istio's sidecars add them too, haproxy adds none): ")
              .append(pct(ratio(metric(DataPlane.APP_WITH_MESH_HEADERS, 2, "rps"), metric(DataPlane.BASELINE, 2, "rps"))))
              .append(" of the baseline. jmesh / that: ")
              .append(pct(ratio(metric(DataPlane.JMESH, 2, "rps"), metric(DataPlane.APP_WITH_MESH_HEADERS, 2, "rps"))))
              .append(" (what the agents cost beyond the app's parsing of their headers).\n");
        }
        if (dataPlane.setups.contains(DataPlane.APPS_OWN_TLS)) {
          md.append("\nThe apps doing mutual TLS themselves (JDK TLS, no relay, the mesh's headers sent): ")
              .append(pct(ratio(metric(DataPlane.APPS_OWN_TLS, 2, "rps"), metric(DataPlane.BASELINE, 2, "rps"))))
              .append(" of the baseline, the bound of an in-process mesh without relays on this machine.\n");
        }
      }
      md.append('\n');
    }

    md.append("## Agent cost at start-up\n\nLaunch of the server JVM to its first served request (median of ")
        .append(settings.startupRuns()).append(" runs), idle RSS 2 s later.\n\n| agent | median ms | runs (ms) | idle RSS MB | added ms |\n|---|---|---|---|---|\n");
    Double none = startupMedian("none");
    for (String v : Startup.VARIANTS) {
      if (startup.unavailable.containsKey(v) && startup.millis.get(v).isEmpty()) {
        md.append("| ").append(v).append(" | not available: ").append(startup.unavailable.get(v)).append(" ||||\n");
        continue;
      }
      Double m = startupMedian(v);
      List<String> runs = new ArrayList<>();
      startup.millis.get(v).forEach(x -> runs.add(num(x, 0)));
      md.append("| ").append(v).append(" | ").append(num(m, 0)).append(" | ").append(String.join(", ", runs))
          .append(" | ").append(num(startupRssMb(v), 1)).append(" | ")
          .append(num(m == null || none == null ? null : m - none, 0)).append(" |\n");
    }

    md.append("\n## TLS cost (one core)\n\n");
    for (String key : List.of("openssl", "jdk", "jdk25")) {
      String label = key.equals("openssl") ? "BoringSSL in the agent" : "JDK TLS";
      Object engine = tls.result.get(key);
      if (engine instanceof JsonNode j) {
        md.append(String.format(Locale.ROOT, "- %s (%s, Java %s, SSLEngine pair in memory, client+server on one thread): **%.0f full mutual-TLS 1.3 handshakes per CPU second**; bulk %s %.0f MB/s (wrap + unwrap, 16 KB records)%s\n",
            label, j.get("provider").asText(), j.get("java").asText(), j.get("handshakesPerCpuSecond").asDouble(),
            j.get("bulkCipher").asText(), j.get("bulkMBPerSecond").asDouble(),
            switch (key) {
              case "openssl" -> " — the agent's default engine";
              case "jdk" -> " — the JDK the benchmarks run on (the agent's fallback, jmesh.tls.provider=jdk)";
              default -> " — for comparison";
            }));
      } else if (tls.result.containsKey(key + "Error")) {
        md.append("- ").append(label).append(" (").append(key).append("): failed: ")
            .append(tls.result.get(key + "Error")).append('\n');
      }
    }
    md.append("- OpenSSL `s_time -new` against `s_server` (mutual TLS 1.3, both pinned to one core): **")
        .append(num((Double) tls.result.get("opensslHandshakesPerCpuSecond"), 0)).append(" handshakes per CPU second** (")
        .append(num((Double) tls.result.get("opensslHandshakesPerSecondOneCore"), 0))
        .append(" per wall second; its CPU includes loopback TCP, the in-memory figures do not)\n");
    md.append("- `openssl speed`: ECDH P-256 ").append(num((Double) tls.result.get("opensslEcdhP256PerSecond"), 0))
        .append(" ops/s; AES-128-GCM ").append(num((Double) tls.result.get("opensslAes128GcmMBPerSecond16k"), 0))
        .append(" MB/s (16 KB blocks, encrypt only)\n");
    md.append("- handshake CPU, agent's BoringSSL / OpenSSL: **")
        .append(num((Double) tls.result.get("handshakeCpuRatioAgentOverOpenssl"), 2)).append("×**; JDK TLS / OpenSSL: **")
        .append(num((Double) tls.result.get("handshakeCpuRatioJdkOverOpenssl"), 2)).append("×**\n");

    md.append("\n## Micro-benchmarks (JMH, -prof gc)\n\n");
    if (jmh.unavailable != null) {
      md.append("not available: ").append(jmh.unavailable).append('\n');
    } else {
      md.append("Per-request (and per-connection) paths the agent adds, one operation each; `ResponseScannerBenchmark`'s ")
          .append("`…WithEmbeddedChannel` is the tap's former side decoding, kept for comparison, and ")
          .append("`RequestSpanBenchmark.buildRequestOnly` the request object the other two build first.\n\n");
      md.append("| benchmark | measures | score | ± | unit | bytes allocated / op |\n|---|---|---|---|---|---|\n");
      for (Map<String, Object> r : jmh.results) {
        md.append("| ").append(r.get("benchmark")).append(" | ").append(r.getOrDefault("measures", "")).append(" | ").append(num((Double) r.get("score"), 1)).append(" | ")
            .append(num((Double) r.get("error"), 1)).append(" | ").append(r.get("unit")).append(" | ")
            .append(num((Double) r.get("allocBytesPerOp"), 1)).append(" |\n");
      }
    }
    pushMarkdown(md);
    return md.toString();
  }

  private void pushMarkdown(StringBuilder md) {
    md.append("\n## Control plane push\n\n");
    if (push.unavailable != null) {
      md.append("not available: ").append(push.unavailable).append('\n');
      return;
    }
    md.append("N simulated agents in one JVM (20 shared workload identities, one keep-alive mTLS connection each on Netty), each parked on ")
        .append("`GET /v1/snapshot?waitSeconds=60`; ").append(push.changes())
        .append(" PeerAuthentication change(s) through the operator API (`POST /v1/policies`, the call `apply -f` makes). ")
        .append("Times in ms from the moment that call returned until each agent had the whole new snapshot (*received*) ")
        .append("and until its `POST /v1/snapshot/ack` was answered (*ACKed*), over all changes. Server memory: ")
        .append("control-server `VmRSS` with the agents parked minus before they joined, per agent; heap = used after ")
        .append("a full GC (`jcmd GC.run`, `GC.heap_info`), same difference.\n\n");
    md.append("| N | received p50 | p99 | max | ACKed p50 | p99 | max | ACKs | snapshot KB | RSS MB before → parked | RSS KB / agent | heap KB / agent |\n")
        .append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Map.Entry<Integer, JsonNode> e : push.results.entrySet()) {
      JsonNode r = e.getValue();
      md.append("| ").append(String.format(Locale.ROOT, "%,d", e.getKey()));
      if (r.has("error")) {
        md.append(" | not available: ").append(r.get("error").asText().replace('|', '/').replace('\n', ' '))
            .append(" |||||||||||\n");
        continue;
      }
      for (String part : List.of("receivedMs", "ackedMs")) {
        for (String p : List.of("p50", "p99", "max")) {
          JsonNode v = r.path(part).path(p);
          md.append(" | ").append(v.isNumber() ? num(v.asDouble(), 0)
              : "> " + num(r.path("waitPerChangeSeconds").asDouble() * 1000, 0) + " (not all arrived)");
        }
      }
      md.append(" | ").append(r.at("/ackedMs/count").asInt()).append(" / ").append(r.at("/ackedMs/expected").asInt());
      md.append(" | ").append(num(r.path("snapshotBytes").asDouble() / 1024, 0));
      md.append(" | ").append(num(r.at("/serverBefore/rssKb").asDouble() / 1024, 0)).append(" → ")
          .append(num(r.at("/serverParked/rssKb").asDouble() / 1024, 0));
      md.append(" | ").append(r.path("rssPerAgentKb").isNumber() ? num(r.get("rssPerAgentKb").asDouble(), 1) : "—");
      md.append(" | ").append(r.path("heapPerAgentKb").isNumber() ? num(r.get("heapPerAgentKb").asDouble(), 1) : "—");
      md.append(" |\n");
      if (r.path("errors").asInt() > 0) {
        md.append("\nN = ").append(e.getKey()).append(": ").append(r.get("errors").asInt()).append(" errors, first: ")
            .append(r.path("firstErrors")).append("\n\n");
      }
    }
  }

  static String num(Double v, int decimals) {
    return v == null || v.isNaN() ? "—" : String.format(Locale.ROOT, "%,." + decimals + "f", v);
  }

  static String us(Double v) {
    return v == null ? "—" : num(v, 0) + " µs";
  }

  static String ms(Double v) {
    return v == null ? "—" : num(v, 0) + " ms";
  }

  static String pct(Double v) {
    return v == null ? "—" : num(v * 100, 1) + " %";
  }
}
