package dev.jmesh.benchmarks.harness;

import dev.jmesh.benchmarks.load.ProcStats;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Agent cost at start-up: wall time from launching the server JVM to the first request it serves
 * (polled with plaintext HTTP every 2 ms from the harness), with no agent, with the jmesh agent
 * (namespace {@code bench-startup}, PERMISSIVE, so the plaintext probe is served) and with the
 * OpenTelemetry Java agent (exporters off); then the idle RSS 2 s after the first request. The
 * variants are interleaved run by run.
 */
final class Startup {

  static final List<String> VARIANTS = List.of("none", "jmesh", "otel");

  private final Settings settings;
  private final Processes procs;
  private final JmeshControl control;
  final Map<String, String> unavailable = new LinkedHashMap<>();
  final Map<String, List<Double>> millis = new LinkedHashMap<>();
  final Map<String, List<Long>> idleRssKb = new LinkedHashMap<>();

  Startup(Settings settings, Processes procs, JmeshControl control) {
    this.settings = settings;
    this.procs = procs;
    this.control = control;
    VARIANTS.forEach(v -> {
      millis.put(v, new ArrayList<>());
      idleRssKb.put(v, new ArrayList<>());
    });
    if (control == null) {
      unavailable.put("jmesh", JmeshControl.unavailableReason);
    }
    if (!Files.isRegularFile(settings.otelAgentJar())) {
      unavailable.put("otel", settings.otelAgentJar() + " is missing (the benchmarks build copies it from Maven Central)");
    }
  }

  void run() {
    for (int run = 1; run <= settings.startupRuns(); run++) {
      for (String variant : VARIANTS) {
        if (unavailable.containsKey(variant)) {
          continue;
        }
        System.out.printf("start-up: run %d/%d, %s%n", run, settings.startupRuns(), variant);
        try {
          once(variant, run);
        } catch (RuntimeException e) {
          unavailable.put(variant, "run " + run + " failed: " + e.getMessage());
        }
      }
    }
  }

  private void once(String variant, int run) {
    int port = Processes.freePort();
    List<String> cmd = new ArrayList<>();
    if (settings.pinned()) {
      cmd.addAll(List.of("taskset", "-c", String.valueOf(Settings.SERVER_CPU)));
    }
    cmd.addAll(List.of(settings.java().toString(), "-Xms64m", "-Xmx256m", "-XX:+UseSerialGC"));
    Map<String, String> env = new LinkedHashMap<>();
    switch (variant) {
      case "jmesh" -> cmd.addAll(control.agentFlags("bench-startup", "startup-app", Processes.freePort()));
      case "otel" -> {
        cmd.add("-javaagent:" + settings.otelAgentJar());
        env.put("OTEL_SERVICE_NAME", "startup-app");
        env.put("OTEL_TRACES_EXPORTER", "none");
        env.put("OTEL_METRICS_EXPORTER", "none");
        env.put("OTEL_LOGS_EXPORTER", "none");
      }
      default -> { }
    }
    cmd.addAll(List.of("-cp", settings.benchmarksJar().toString(), "dev.jmesh.benchmarks.load.BenchServer",
        String.valueOf(port)));
    long launched = System.nanoTime();
    Processes.Child app = procs.start("startup-" + variant + "-" + run, cmd, env);
    try {
      long deadline = launched + 60_000_000_000L;
      while (System.nanoTime() < deadline) {
        if (probe(port)) {
          millis.get(variant).add((System.nanoTime() - launched) / 1e6);
          Processes.sleep(2000);
          idleRssKb.get(variant).add(ProcStats.rssKb(app.pid()));
          return;
        }
        if (!app.process.isAlive()) {
          throw new IllegalStateException("the app exited: " + app.tail(10));
        }
        Processes.sleep(2);
      }
      throw new IllegalStateException("no request served within 60 s: " + app.tail(10));
    } finally {
      procs.stop(app);
    }
  }

  /** One plaintext GET; true on a 200. */
  private static boolean probe(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      s.setSoTimeout(2000);
      OutputStream out = s.getOutputStream();
      out.write(("GET / HTTP/1.1\r\nHost: startup-app\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] head = new byte[12];
      int n = 0;
      while (n < head.length) {
        int r = in.read(head, n, head.length - n);
        if (r < 0) {
          return false;
        }
        n += r;
      }
      return new String(head, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200");
    } catch (IOException e) {
      return false;
    }
  }
}
