package dev.jmesh.benchmarks.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.jmesh.benchmarks.load.ProcStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The three data-plane set-ups, interleaved per round (baseline, jmesh, sidecar, baseline, …), each
 * with a fresh server JVM and client JVM running the same phases: open loop at 1,000 and 2,000 rps,
 * then closed loop at maximum throughput. A fourth, {@link #APP_WITH_MESH_HEADERS}, runs only when
 * asked for ({@code JMESH_BENCH_MESH_HEADERS=on}) and only the maximum-throughput phase: the
 * baseline's app, no mesh, sent the headers the mesh adds, so the report can tell what the
 * application pays for parsing them from what the agents cost. It is a diagnosis that depends on the
 * CPU (79 % of the baseline on one machine, 103 % on another), not a comparison the issue asks for,
 * and the full run's 15 minutes have no room for it. A fifth, {@link #APPS_OWN_TLS}, likewise only
 * when asked for ({@code JMESH_BENCH_APP_TLS=on}), runs every phase with no mesh and no relay: the
 * two apps do mutual TLS themselves with the JDK's TLS (the server a JDK {@code HttpsServer} that
 * requires a client certificate, the client an {@code SSLSocket}) and the client sends the mesh's
 * headers. That is what an in-process mesh that terminates TLS in the application's own sockets
 * could at best reach on this machine: the bound of removing the relays.
 */
final class DataPlane {

  static final String BASELINE = "baseline";
  static final String JMESH = "jmesh";
  static final String SIDECAR = "sidecar";
  static final String APP_WITH_MESH_HEADERS = "baseline + mesh headers";
  static final String APPS_OWN_TLS = "apps' own mTLS + mesh headers";
  /** The set-ups of this run, in the order each round runs them. */
  final List<String> setups = setups();

  private static List<String> setups() {
    List<String> setups = new ArrayList<>(List.of(BASELINE));
    if ("on".equals(System.getenv("JMESH_BENCH_MESH_HEADERS"))) {
      setups.add(APP_WITH_MESH_HEADERS);
    }
    setups.addAll(List.of(JMESH, SIDECAR));
    if ("on".equals(System.getenv("JMESH_BENCH_APP_TLS"))) {
      setups.add(APPS_OWN_TLS);
    }
    return List.copyOf(setups);
  }

  /**
   * What the server app receives from the two agents on top of the client's own headers (the
   * inbound agent's {@code x-forwarded-client-cert}, the client agent's {@code x-request-id} and
   * {@code traceparent}), byte for byte the same lengths; fixed values, since the app only parses
   * them. Istio's sidecars add these too (with a longer client-cert header); haproxy in the sidecar
   * set-up adds none.
   */
  static final String MESH_HEADERS =
      "x-request-id: 6f1c2b8a-3d4e-4f5a-9b6c-7d8e9f0a1b2c\n"
          + "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\n"
          + "x-forwarded-client-cert: By=spiffe://cluster.local/ns/default/sa/bench-server"
          + ";URI=spiffe://cluster.local/ns/default/sa/bench-client";

  /** The phases' positions in a load generator's result; the headers set-up fills only the last. */
  private static final int PHASE_COUNT = 3;

  private final Settings settings;
  private final Processes procs;
  private final JmeshControl control;
  private final Path pki;
  private final ObjectMapper json = new ObjectMapper();
  /** Why a set-up cannot run (missing tool or jar, mesh not working); null when it can. */
  final Map<String, String> unavailable = new LinkedHashMap<>();
  /** setup → list of rounds, each {phases: [...], idleServerRssKb, pids}. */
  final Map<String, List<JsonNode>> rounds = new LinkedHashMap<>();

  DataPlane(Settings settings, Processes procs, JmeshControl control, Path pki) {
    this.settings = settings;
    this.procs = procs;
    this.control = control;
    this.pki = pki;
    setups.forEach(s -> rounds.put(s, new ArrayList<>()));
    if (control == null) {
      unavailable.put(JMESH, JmeshControl.unavailableReason);
    }
    if (pki == null || !Files.isExecutable(Path.of("/usr/sbin/haproxy"))) {
      unavailable.put(SIDECAR, "haproxy (/usr/sbin/haproxy) or the openssl-made certificates are missing");
    }
    if (pki == null && setups.contains(APPS_OWN_TLS)) {
      unavailable.put(APPS_OWN_TLS, "the openssl-made certificates are missing");
    }
  }

  void run() {
    boolean tracing = !"off".equals(System.getenv("JMESH_BENCH_TRACING"));
    try (TraceSink sink = unavailable.containsKey(JMESH) || !tracing ? null : TraceSink.start()) {
      traceSink = sink;
      runRounds();
    } catch (IOException e) {
      unavailable.put(JMESH, "the local OTLP trace sink could not start: " + e.getMessage());
    } finally {
      traceSink = null;
    }
  }

  /** Where the jmesh set-up exports its spans while a run is under way. */
  private TraceSink traceSink;

  private void runRounds() {
    for (int round = 1; round <= settings.rounds(); round++) {
      for (String setup : setups) {
        if (unavailable.containsKey(setup)) {
          continue;
        }
        System.out.printf("data plane: round %d/%d, %s%n", round, settings.rounds(), setup);
        try {
          JsonNode result = runOnce(setup, round);
          if (result.has("error")) {
            throw new IllegalStateException(result.get("error").asText());
          }
          rounds.get(setup).add(result);
        } catch (RuntimeException | IOException e) {
          String reason = "round " + round + " failed: " + e.getMessage();
          System.out.println("  " + setup + " " + reason);
          unavailable.put(setup, reason);
        }
      }
    }
  }

  private List<String> pin(int cpu) {
    return settings.pinned() ? List.of("taskset", "-c", String.valueOf(cpu)) : List.of();
  }

  private List<String> javaApp(int cpu, List<String> jvmFlags, String mainClass, List<String> args) {
    List<String> cmd = new ArrayList<>(pin(cpu));
    cmd.addAll(List.of(settings.java().toString(), "-Xms64m", "-Xmx256m", "-XX:+UseSerialGC"));
    cmd.addAll(jvmFlags);
    cmd.addAll(List.of("-cp", settings.benchmarksJar().toString(), mainClass));
    cmd.addAll(args);
    return cmd;
  }

  private JsonNode runOnce(String setup, int round) throws IOException {
    String tag = setup.replaceAll("[^a-z]+", "-") + "-r" + round;
    List<Processes.Child> started = new ArrayList<>();
    try {
      int appPort = Processes.freePort();
      int serverAdmin = Processes.freePort();
      List<String> serverFlags =
          switch (setup) {
            case JMESH -> withTracing(control.agentFlags("default", "bench-server", serverAdmin));
            case APPS_OWN_TLS -> List.of("-Dbench.server.tls=" + pki);
            default -> List.of();
          };
      long exportsBefore = traceSink == null ? 0 : traceSink.exports();
      Processes.Child server = procs.start(tag + "-server",
          javaApp(Settings.SERVER_CPU, serverFlags, "dev.jmesh.benchmarks.load.BenchServer", List.of(String.valueOf(appPort))),
          Map.of());
      started.add(server);
      server.awaitLog("listening", Duration.ofSeconds(60));
      Boolean plaintextRefused = null;
      if (setup.equals(JMESH)) {
        JmeshControl.awaitReady(serverAdmin, server, Duration.ofSeconds(60));
        // STRICT must be in force: a plaintext request to the app's port must not be served.
        plaintextRefused = !plaintextServed(appPort);
        if (!plaintextRefused) {
          throw new IllegalStateException("the meshed server answered plaintext on its port: STRICT mTLS is not in force");
        }
      }

      List<Long> otherPids = new ArrayList<>(List.of(server.pid()));
      String host = "127.0.0.1";
      int port = appPort;
      List<String> clientFlags = List.of();
      List<String> extra = new ArrayList<>();
      if (setup.equals(SIDECAR)) {
        int serverProxyPort = Processes.freePort();
        int clientProxyPort = Processes.freePort();
        Processes.Child serverProxy = haproxy(tag + "-server-proxy", Settings.SERVER_CPU, serverProxyConfig(serverProxyPort, appPort));
        started.add(serverProxy);
        Processes.Child clientProxy = haproxy(tag + "-client-proxy", Settings.CLIENT_CPU, clientProxyConfig(clientProxyPort, serverProxyPort));
        started.add(clientProxy);
        awaitPort(clientProxyPort, clientProxy);
        awaitPort(serverProxyPort, serverProxy);
        otherPids.add(serverProxy.pid());
        otherPids.add(clientProxy.pid());
        port = clientProxyPort;
        extra.addAll(List.of("--host-header", "bench-server:" + appPort));
      } else if (setup.equals(JMESH)) {
        int clientAdmin = Processes.freePort();
        clientFlags = withTracing(control.agentFlags("default", "bench-client", clientAdmin));
        host = "bench-server";
        extra.addAll(List.of("--wait-ready", "http://127.0.0.1:" + clientAdmin + "/ready"));
      } else if (setup.equals(APPS_OWN_TLS)) {
        extra.addAll(List.of("--tls", pki.toString(),
            "--host-header", "bench-server:" + appPort, "--extra-headers", MESH_HEADERS));
      }
      Processes.sleep(1000);
      long idleRss = ProcStats.rssKb(server.pid());
      long idleHeap = ProcStats.liveHeapKb(settings.jcmd(), server.pid());

      Path out = settings.work().resolve(tag + "-load.json");
      Files.deleteIfExists(out);
      boolean onlyMax = setup.equals(APP_WITH_MESH_HEADERS);
      if (onlyMax) {
        extra.addAll(List.of("--host-header", "bench-server:" + appPort, "--extra-headers", MESH_HEADERS));
      }
      List<String> args = new ArrayList<>(List.of(
          "--host", host, "--port", String.valueOf(port),
          "--phases", (onlyMax ? "" : "rate:1000,rate:2000,") + "max:" + settings.maxConnections(),
          "--connections", String.valueOf(settings.openLoopConnections()),
          // No agent to warm up: the phase's own warm-up is enough for the app alone.
          "--jit-warmup-seconds", String.valueOf(onlyMax ? Math.min(3, settings.jitWarmupSeconds()) : settings.jitWarmupSeconds()),
          "--warmup-seconds", String.valueOf(settings.warmupSeconds()),
          "--seconds", String.valueOf(settings.measureSeconds()),
          "--pids", join(otherPids), "--rss-pid", String.valueOf(server.pid()),
          "--probe-seconds", "30", "--out", out.toString()));
      args.addAll(extra);
      Processes.Child client = procs.start(tag + "-client",
          javaApp(Settings.CLIENT_CPU, clientFlags, "dev.jmesh.benchmarks.load.LoadGenerator", args), Map.of());
      started.add(client);
      long budget = (long) (settings.jitWarmupSeconds() + 3 * (settings.warmupSeconds() + settings.measureSeconds()) + 150);
      try {
        if (!client.process.waitFor(budget, TimeUnit.SECONDS)) {
          throw new IllegalStateException("client did not finish within " + budget + " s: " + client.tail(10));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted");
      }
      if (!Files.exists(out)) {
        throw new IllegalStateException("client wrote no result: " + client.tail(15));
      }
      long loadedHeap = ProcStats.liveHeapKb(settings.jcmd(), server.pid());
      JsonNode result = json.readTree(out.toFile());
      if (result.has("error")) {
        throw new IllegalStateException(result.get("error").asText()
            + (setup.equals(JMESH) ? " | server log: " + server.tail(5) + " | client log: " + client.tail(5) : ""));
      }
      Map<String, Object> roundResult = new LinkedHashMap<>();
      roundResult.put("round", round);
      roundResult.put("idleServerRssKb", idleRss);
      roundResult.put("idleServerLiveHeapKb", idleHeap);
      roundResult.put("loadedServerLiveHeapKb", loadedHeap);
      roundResult.put("serverPid", server.pid());
      roundResult.put("otherPids", otherPids);
      if (plaintextRefused != null) {
        roundResult.put("strictMtlsVerified", plaintextRefused);
        roundResult.put(
            "traceExportsReceived", traceSink == null ? -1 : traceSink.exports() - exportsBefore);
      }
      ArrayNode phases = (ArrayNode) result.get("phases");
      while (phases.size() < PHASE_COUNT) {
        phases.insertNull(0); // the phases this set-up does not run
      }
      roundResult.put("phases", phases);
      return json.valueToTree(roundResult);
    } finally {
      for (int i = started.size() - 1; i >= 0; i--) {
        procs.stop(started.get(i));
      }
    }
  }

  /**
   * Everything on: the agents also trace every request and export the spans to the local sink
   * ({@code JMESH_BENCH_TRACING=off} leaves tracing off, to see what it costs).
   */
  private List<String> withTracing(List<String> agentFlags) {
    List<String> flags = new ArrayList<>(agentFlags);
    if (traceSink != null) {
      flags.add("-Dotel.exporter.otlp.endpoint=" + traceSink.endpoint());
      // Istio's default sampling (1 %), as in Istio's own published numbers; every request still
      // gets its spans started, propagated and x-request-id. JMESH_BENCH_TRACE_SAMPLING=1 traces all.
      flags.add("-Dotel.traces.sampler=parentbased_traceidratio");
      flags.add("-Dotel.traces.sampler.arg=" + traceSampling());
    }
    // For profiling one set-up (e.g. -XX:StartFlightRecording=...): not used for results.
    String extra = System.getenv("JMESH_BENCH_JMESH_JVM_FLAGS");
    if (extra != null && !extra.isBlank()) {
      flags.addAll(List.of(extra.trim().split("\\s+")));
    }
    return flags;
  }

  static String traceSampling() {
    String override = System.getenv("JMESH_BENCH_TRACE_SAMPLING");
    return override == null || override.isBlank() ? "0.01" : override.trim();
  }

  private Processes.Child haproxy(String name, int cpu, String config) throws IOException {
    Path cfg = settings.work().resolve(name + ".cfg");
    Files.writeString(cfg, config);
    List<String> cmd = new ArrayList<>(pin(cpu));
    cmd.addAll(List.of("/usr/sbin/haproxy", "-db", "-f", cfg.toString()));
    return procs.start(name, cmd, Map.of());
  }

  private static final String HAPROXY_GLOBAL = """
      global
        nbthread 1
        maxconn 2000
        ssl-default-bind-ciphersuites TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256
        ssl-default-server-ciphersuites TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256
      defaults
        mode http
        option http-keep-alive
        http-reuse always
        timeout connect 5s
        timeout client 60s
        timeout server 60s
      """;

  /** The server's sidecar: terminates mutual TLS 1.3, forwards plaintext to the app over loopback. */
  private String serverProxyConfig(int listenPort, int appPort) {
    return HAPROXY_GLOBAL + """
        frontend mesh_in
          bind 127.0.0.1:%d ssl crt %s ca-file %s verify required ssl-min-ver TLSv1.3
          default_backend app
        backend app
          server app 127.0.0.1:%d
        """.formatted(listenPort, pki.resolve("server-bundle.pem"), pki.resolve("ca.pem"), appPort);
  }

  /** The client's sidecar: takes the app's plaintext, originates mutual TLS 1.3 to the server's. */
  private String clientProxyConfig(int listenPort, int serverProxyPort) {
    return HAPROXY_GLOBAL + """
        frontend app_out
          bind 127.0.0.1:%d
          default_backend mesh_out
        backend mesh_out
          server bench-server 127.0.0.1:%d ssl crt %s ca-file %s verify required verifyhost bench-server ssl-min-ver TLSv1.3 sni str(bench-server)
        """.formatted(listenPort, serverProxyPort, pki.resolve("client-bundle.pem"), pki.resolve("ca.pem"));
  }

  /** One plaintext POST to 127.0.0.1:port; true if it was answered with HTTP 200. */
  private static boolean plaintextServed(int port) {
    try (java.net.Socket s = new java.net.Socket()) {
      s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 1000);
      s.setSoTimeout(3000);
      s.getOutputStream().write("GET / HTTP/1.1\r\nHost: bench-server\r\nConnection: close\r\n\r\n"
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      byte[] head = s.getInputStream().readNBytes(12);
      return new String(head, java.nio.charset.StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200");
    } catch (IOException e) {
      return false;
    }
  }

  private static void awaitPort(int port, Processes.Child proc) {
    long deadline = System.nanoTime() + 15_000_000_000L;
    while (System.nanoTime() < deadline) {
      try (java.net.Socket s = new java.net.Socket()) {
        s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 500);
        return;
      } catch (IOException e) {
        if (!proc.process.isAlive()) {
          throw new IllegalStateException(proc.name + " exited: " + proc.tail(15));
        }
        Processes.sleep(20);
      }
    }
    throw new IllegalStateException(proc.name + " not listening on " + port + ": " + proc.tail(15));
  }

  private static String join(List<Long> pids) {
    StringBuilder sb = new StringBuilder();
    for (Long p : pids) {
      sb.append(sb.length() == 0 ? "" : ",").append(p);
    }
    return sb.toString();
  }
}
