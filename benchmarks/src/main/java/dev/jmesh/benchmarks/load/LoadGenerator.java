package dev.jmesh.benchmarks.load;

import dev.jmesh.benchmarks.tls.TlsCost;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLSocketFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * The client app of every data-plane set-up: an HTTP/1.1 load generator over a pool of keep-alive
 * connections.
 *
 * <ul>
 *   <li>{@code rate:<rps>} — open loop. Connection k of C sends request i at the intended time
 *       {@code start + (i·C + k) / rps} whatever happened before (as wrk2 does), and latency is
 *       measured from that intended time, so a stall counts against every request it delays (no
 *       coordinated omission).
 *   <li>{@code max:<C>} — closed loop on C connections, each sending as soon as its previous
 *       response is in: the maximum throughput.
 * </ul>
 *
 * Before the first phase, {@code --jit-warmup-seconds S} runs S seconds of closed-loop load on the
 * open-loop connections and discards it, so that what the JIT compiles while a JVM is young (far more
 * code with an agent inside) is not counted as the first phase's latency and CPU.
 *
 * <p>Each phase warms up first; only requests intended inside the measurement window are recorded, and
 * the CPU seconds of the given processes ({@code --pids}) are read from {@code /proc} at the window's
 * edges. The result is written as JSON to {@code --out}.
 *
 * <p>Usage: {@code LoadGenerator --host H --port P [--host-header X] [--extra-headers "name: value
 * (newline) name: value"] --phases rate:1000,rate:2000,max:16
 * --connections 16 [--jit-warmup-seconds 10] --warmup-seconds 5 --seconds 10 [--pids 1,2] [--rss-pid 2] [--wait-ready URL]
 * [--probe-seconds 60] [--tls PKI_DIR] --out result.json}
 *
 * <p>With {@code --tls} every connection is mutual TLS with the JDK's TLS (the client certificate
 * and CA of {@code harness/Pki}), checking that the server's certificate names the host.
 */
public final class LoadGenerator {

  private static final int BODY_BYTES = 1024;
  /** Sleep until this long before the intended send time, then spin: park overshoots by ~60 µs. */
  private static final long SPIN_NANOS = Long.getLong("bench.spinMicros", 0) * 1000;
  private static final long HIGHEST_NANOS = 120_000_000_000L;

  private final String host;
  private final int port;
  private final String hostHeader;
  /** Header lines sent with every request besides Host, Content-Type and Content-Length. */
  private final String extraHeaders;
  private final int connections;
  private final long jitWarmupNanos;
  private final long warmupNanos;
  private final long measureNanos;
  private final List<Long> pids;
  private final long rssPid;
  /** Mutual TLS to the server ({@code --tls}); null for plaintext. */
  private final SSLSocketFactory tls;

  private LoadGenerator(Map<String, String> opts) {
    host = opts.get("host");
    port = Integer.parseInt(opts.get("port"));
    hostHeader = opts.getOrDefault("host-header", host + ":" + port);
    StringBuilder extra = new StringBuilder();
    for (String line : opts.getOrDefault("extra-headers", "").split("\n")) {
      if (!line.isBlank()) {
        extra.append(line.strip()).append("\r\n");
      }
    }
    extraHeaders = extra.toString();
    connections = Integer.parseInt(opts.getOrDefault("connections", "16"));
    jitWarmupNanos = (long) (Double.parseDouble(opts.getOrDefault("jit-warmup-seconds", "0")) * 1e9);
    warmupNanos = (long) (Double.parseDouble(opts.getOrDefault("warmup-seconds", "5")) * 1e9);
    measureNanos = (long) (Double.parseDouble(opts.getOrDefault("seconds", "10")) * 1e9);
    pids = new ArrayList<>();
    pids.add(ProcessHandle.current().pid());
    String pidList = opts.getOrDefault("pids", "");
    for (String p : pidList.split(",")) {
      if (!p.isBlank()) {
        pids.add(Long.parseLong(p.trim()));
      }
    }
    rssPid = Long.parseLong(opts.getOrDefault("rss-pid", "-1"));
    String pki = opts.get("tls");
    try {
      tls = pki == null ? null : TlsCost.context(Path.of(pki), "client").getSocketFactory();
    } catch (Exception e) {
      throw new IllegalArgumentException("--tls " + pki + ": " + e.getMessage(), e);
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = parse(args);
    LoadGenerator generator = new LoadGenerator(opts);
    Path out = Path.of(opts.get("out"));
    StringBuilder json = new StringBuilder("{\"phases\":[");
    try {
      if (opts.containsKey("wait-ready")) {
        waitReady(opts.get("wait-ready"), 60_000);
      }
      generator.probe((long) (Double.parseDouble(opts.getOrDefault("probe-seconds", "60")) * 1000));
      if (generator.jitWarmupNanos > 0) {
        generator.closedLoop(generator.connections, 0, generator.jitWarmupNanos);
        System.out.println("JIT warm-up done");
      }
      String[] phases = opts.get("phases").split(",");
      for (int i = 0; i < phases.length; i++) {
        String[] kv = phases[i].split(":");
        String result =
            kv[0].equals("rate")
                ? generator.openLoop(Double.parseDouble(kv[1]))
                : generator.closedLoop(
                    Integer.parseInt(kv[1]), generator.warmupNanos, generator.measureNanos);
        json.append(i == 0 ? "" : ",").append(result);
        System.out.println("phase " + phases[i] + " done");
      }
      json.append("]}");
    } catch (Exception e) {
      json.setLength(0);
      json.append("{\"error\":").append(quote(e.toString())).append("}");
      System.out.println("failed: " + e);
    }
    Files.writeString(out, json.toString());
    System.exit(0);
  }

  /** Polls a readiness URL (the agent's admin /ready) until it answers 200. */
  private static void waitReady(String url, long timeoutMillis) throws IOException, InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    String last = "no answer";
    while (System.currentTimeMillis() < deadline) {
      try {
        HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        c.setConnectTimeout(1000);
        c.setReadTimeout(1000);
        int code = c.getResponseCode();
        c.disconnect();
        if (code == 200) {
          return;
        }
        last = "HTTP " + code;
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(100);
    }
    throw new IOException(url + " not ready within " + timeoutMillis + " ms: " + last);
  }

  private HttpConnection connection() {
    return new HttpConnection(host, port, hostHeader, extraHeaders, BODY_BYTES, tls);
  }

  /** One request must succeed (e.g. the mesh must know the server) before load starts. */
  private void probe(long timeoutMillis) throws IOException, InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    Exception last = null;
    try (HttpConnection c = connection()) {
      while (System.currentTimeMillis() < deadline) {
        try {
          int status = c.exchange();
          if (status == 200) {
            return;
          }
          last = new IOException("HTTP " + status);
        } catch (IOException | RuntimeException e) {
          last = e;
          c.close();
        }
        Thread.sleep(200);
      }
    }
    throw new IOException(
        "no successful request to " + host + ":" + port + " within " + timeoutMillis + " ms: " + last);
  }

  private String openLoop(double rps) throws Exception {
    long start = System.nanoTime() + 50_000_000L;
    long measureStart = start + warmupNanos;
    long measureEnd = measureStart + measureNanos;
    double perRequest = 1e9 / rps;
    Worker[] workers = new Worker[connections];
    for (int k = 0; k < connections; k++) {
      int index = k;
      workers[k] =
          new Worker(
              "open-" + k,
              w -> {
                try (HttpConnection c = connection()) {
                  c.connect();
                  for (long i = 0; ; i++) {
                    long intended = start + (long) ((i * connections + index) * perRequest);
                    if (intended >= measureEnd) {
                      return;
                    }
                    waitUntil(intended);
                    boolean ok = send(c, w);
                    long latency = System.nanoTime() - intended;
                    if (intended >= measureStart) {
                      w.record(latency, ok);
                    }
                  }
                }
              });
    }
    return runPhase("rate", rps, workers, measureStart, measureEnd);
  }

  private String closedLoop(int conns, long warmup, long measure) throws Exception {
    long start = System.nanoTime() + 50_000_000L;
    long measureStart = start + warmup;
    long measureEnd = measureStart + measure;
    Worker[] workers = new Worker[conns];
    for (int k = 0; k < conns; k++) {
      workers[k] =
          new Worker(
              "closed-" + k,
              w -> {
                try (HttpConnection c = connection()) {
                  c.connect();
                  waitUntil(start);
                  while (true) {
                    long sent = System.nanoTime();
                    if (sent >= measureEnd) {
                      return;
                    }
                    boolean ok = send(c, w);
                    long now = System.nanoTime();
                    if (sent >= measureStart && now <= measureEnd) {
                      w.record(now - sent, ok);
                    }
                  }
                }
              });
    }
    return runPhase("max", conns, workers, measureStart, measureEnd);
  }

  private static boolean send(HttpConnection c, Worker w) {
    try {
      return c.exchange() == 200;
    } catch (IOException | RuntimeException e) {
      if (w.firstError == null) {
        w.firstError = e.toString();
      }
      c.close();
      return false;
    }
  }

  private String runPhase(String mode, double target, Worker[] workers, long measureStart, long measureEnd)
      throws Exception {
    for (Worker w : workers) {
      w.start();
    }
    waitUntilSleeping(measureStart);
    double[] cpuStart = cpu();
    long wallStart = System.nanoTime();
    waitUntilSleeping(measureEnd);
    double[] cpuEnd = cpu();
    long wallEnd = System.nanoTime();
    long rss = rssPid > 0 ? ProcStats.rssKb(rssPid) : -1;
    for (Worker w : workers) {
      w.join(30_000);
      if (w.isAlive()) {
        w.interrupt();
      }
    }
    Histogram all = new Histogram(HIGHEST_NANOS, 3);
    long ok = 0;
    long errors = 0;
    String firstError = null;
    for (Worker w : workers) {
      all.add(w.histogram);
      ok += w.ok.get();
      errors += w.errors.get();
      if (firstError == null) {
        firstError = w.firstError != null ? w.firstError : w.failure;
      }
    }
    double seconds = (measureEnd - measureStart) / 1e9;
    StringBuilder json = new StringBuilder();
    json.append('{')
        .append("\"mode\":\"").append(mode).append('"')
        .append(",\"target\":").append(fmt(target))
        .append(",\"connections\":").append(workers.length)
        .append(",\"seconds\":").append(fmt(seconds))
        .append(",\"requests\":").append(ok)
        .append(",\"errors\":").append(errors)
        .append(",\"firstError\":").append(firstError == null ? "null" : quote(firstError))
        .append(",\"rps\":").append(fmt(ok / seconds))
        .append(",\"latencyUs\":{")
        .append("\"p50\":").append(us(all.getValueAtPercentile(50)))
        .append(",\"p90\":").append(us(all.getValueAtPercentile(90)))
        .append(",\"p99\":").append(us(all.getValueAtPercentile(99)))
        .append(",\"p999\":").append(us(all.getValueAtPercentile(99.9)))
        .append(",\"max\":").append(us(all.getMaxValue()))
        .append(",\"mean\":").append(fmt(all.getMean() / 1000.0))
        .append("},\"cpuSeconds\":{");
    double wall = (wallEnd - wallStart) / 1e9;
    for (int i = 0; i < pids.size(); i++) {
      json.append(i == 0 ? "" : ",").append('"').append(pids.get(i)).append("\":")
          .append(fmt(cpuEnd[i] - cpuStart[i]));
    }
    json.append("},\"cpuWindowSeconds\":").append(fmt(wall))
        .append(",\"clientPid\":").append(pids.get(0))
        .append(",\"serverRssKb\":").append(rss)
        .append('}');
    return json.toString();
  }

  private double[] cpu() {
    double[] result = new double[pids.size()];
    for (int i = 0; i < result.length; i++) {
      result[i] = ProcStats.cpuSeconds(pids.get(i));
    }
    return result;
  }

  private static void waitUntil(long nanoTime) {
    long left;
    while ((left = nanoTime - System.nanoTime()) > SPIN_NANOS) {
      LockSupport.parkNanos(left - SPIN_NANOS);
    }
    while (System.nanoTime() < nanoTime) {
      Thread.onSpinWait();
    }
  }

  private static void waitUntilSleeping(long nanoTime) throws InterruptedException {
    long left;
    while ((left = nanoTime - System.nanoTime()) > 0) {
      Thread.sleep(Math.max(1, left / 1_000_000));
    }
  }

  private static String us(long nanos) {
    return fmt(nanos / 1000.0);
  }

  static String fmt(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return "null";
    }
    return String.format(Locale.ROOT, "%.3f", v);
  }

  static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", " ").replace("\r", " ") + "\"";
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --option, got " + args[i]);
      }
      opts.put(args[i].substring(2), args[i + 1]);
    }
    return opts;
  }

  /** One connection's thread and its measurements. */
  private static final class Worker extends Thread {
    interface Body {
      void run(Worker w) throws Exception;
    }

    final Histogram histogram = new Histogram(HIGHEST_NANOS, 3);
    final AtomicLong ok = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    volatile String firstError;
    volatile String failure;
    private final Body body;

    Worker(String name, Body body) {
      super(name);
      this.body = body;
      setDaemon(true);
    }

    void record(long latencyNanos, boolean success) {
      histogram.recordValue(Math.min(latencyNanos, HIGHEST_NANOS));
      if (success) {
        ok.incrementAndGet();
      } else {
        errors.incrementAndGet();
      }
    }

    @Override
    public void run() {
      try {
        body.run(this);
      } catch (Exception e) {
        failure = e.toString();
      }
    }
  }
}
