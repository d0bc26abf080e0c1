package dev.jmesh.benchmarks.harness;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the whole comparison and writes {@code results.md} and {@code results.json}.
 *
 * <p>Usage: {@code java -jar jmesh-benchmarks.jar [--quick] --root <checkout> [--out <dir>]
 * [--sections dataplane,startup,tls,jmh,push]}; run.sh
 * builds what it needs first. Every child process is destroyed when its step ends, and all of them
 * when the harness exits.
 */
public final class Harness {

  private Harness() {}

  public static void main(String[] args) throws Exception {
    boolean quick = false;
    Path root = Path.of(".").toAbsolutePath().normalize();
    Path out = null;
    String sections = "dataplane,startup,tls,jmh,push";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> quick = true;
        case "--root" -> root = Path.of(args[++i]).toAbsolutePath().normalize();
        case "--out" -> out = Path.of(args[++i]).toAbsolutePath().normalize();
        case "--sections" -> sections = args[++i];
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (out == null) {
      // Quick (smoke) runs never overwrite the committed results of a full run.
      out = root.resolve(quick ? "benchmarks/results/quick" : "benchmarks/results");
    }
    Path work = root.resolve("benchmarks/target/run");
    Files.createDirectories(work);
    Files.createDirectories(out);
    deleteContents(work);
    Settings settings = Settings.of(quick, root, out, work);
    long started = System.nanoTime();
    Map<String, Object> results = new LinkedHashMap<>();
    int exit = 0;
    try (Processes procs = new Processes(work)) {
      results.put("date", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
      results.put("mode", quick ? "quick (CI smoke run: short phases, numbers are indicative only)" : "full");
      results.put("machine", Machine.describe(procs, settings));
      results.put("settings", Map.of(
          "rounds", settings.rounds(), "jitWarmupSeconds", settings.jitWarmupSeconds(), "warmupSeconds", settings.warmupSeconds(),
          "measureSeconds", settings.measureSeconds(), "openLoopConnections", settings.openLoopConnections(),
          "maxThroughputConnections", settings.maxConnections(), "startupRuns", settings.startupRuns(),
          "requestBodyBytes", 1024, "responseBodyBytes", 1024,
          "jmeshTraceSampling", DataPlane.traceSampling()));

      Path pki = null;
      try {
        pki = Pki.create(procs, work.resolve("pki"));
      } catch (Exception e) {
        System.out.println("openssl certificates could not be made: " + e.getMessage());
      }
      JmeshControl control = JmeshControl.start(settings, procs);
      if (control == null) {
        System.out.println("jmesh: not available: " + JmeshControl.unavailableReason);
      }

      DataPlane dataPlane = new DataPlane(settings, procs, control, pki);
      if (sections.contains("dataplane")) {
        dataPlane.run();
      }
      Startup startup = new Startup(settings, procs, control);
      if (sections.contains("startup")) {
        startup.run();
      }
      TlsRunner tls = new TlsRunner(settings, procs, pki);
      if (!sections.contains("tls")) {
        tls.result.put("error", "skipped (--sections)");
      } else if (pki != null) {
        tls.run();
      } else {
        tls.result.put("error", "no certificates (openssl failed)");
      }
      JmhRunner jmh = new JmhRunner(settings, procs);
      if (sections.contains("jmh")) {
        jmh.run();
      } else {
        jmh.unavailable = "skipped (--sections)";
      }
      if (control != null) {
        control.stop();
      }
      // After the shared control server is gone: each N gets a fresh one.
      ControlPlanePush push = new ControlPlanePush(settings, procs);
      if (sections.contains("push")) {
        push.run();
      } else {
        push.unavailable = "skipped (--sections)";
      }

      Report report = new Report(settings, dataPlane, startup, tls, jmh, push);
      @SuppressWarnings("unchecked")
      Map<String, Object> machine = (Map<String, Object>) results.get("machine");
      machine.put("loadAverageAtEnd", Machine.firstLine(procs, List.of("cat", "/proc/loadavg")));
      results.putAll(report.toJson());
      results.put("elapsedSeconds", Math.round((System.nanoTime() - started) / 1e9));
      ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      json.writeValue(out.resolve("results.json").toFile(), results);
      String md = report.markdown(results);
      Files.writeString(out.resolve("results.md"), md);
      System.out.println();
      System.out.println(md);
      System.out.println("wrote " + out.resolve("results.md") + " and results.json in "
          + results.get("elapsedSeconds") + " s");
    } catch (Exception e) {
      e.printStackTrace();
      exit = 1;
    }
    System.exit(exit);
  }

  private static void deleteContents(Path dir) throws java.io.IOException {
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).filter(f -> !f.equals(dir)).forEach(f -> f.toFile().delete());
    }
  }

  /** What the numbers were measured on. */
  static final class Machine {
    static Map<String, Object> describe(Processes procs, Settings settings) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("nproc", Runtime.getRuntime().availableProcessors());
      m.put("cpuModel", firstLine(procs, List.of("sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2")));
      m.put("kernel", firstLine(procs, List.of("uname", "-r")));
      m.put("memTotal", firstLine(procs, List.of("sh", "-c", "grep MemTotal /proc/meminfo | tr -s ' '")));
      m.put("java", firstLine(procs, List.of("sh", "-c", "'" + settings.java() + "' -version 2>&1 | head -2 | tail -1")));
      m.put("javaJdk25Installed", firstLine(procs, List.of("sh", "-c",
          "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java -version 2>&1 | head -2 | tail -1 || echo none")));
      m.put("haproxy", firstLine(procs, List.of("sh", "-c", "/usr/sbin/haproxy -v 2>/dev/null | head -1 || echo none")));
      m.put("openssl", firstLine(procs, List.of("openssl", "version")));
      m.put("loadAverageAtStart", firstLine(procs, List.of("cat", "/proc/loadavg")));
      m.put("pinning", settings.pinned()
          ? "taskset: load generator and client-side haproxy on CPU " + Settings.CLIENT_CPU
              + "; server app, its agent's listener (in-process) and server-side haproxy on CPU " + Settings.SERVER_CPU
              + "; TLS and JMH runs on CPU " + Settings.SERVER_CPU + "; control server and harness not pinned"
          : "none (taskset missing or fewer than 2 CPUs)");
      return m;
    }

    static String firstLine(Processes procs, List<String> cmd) {
      Processes.Result r = procs.run("machine", cmd, Map.of(), Duration.ofSeconds(20));
      String s = r.output().trim();
      int nl = s.indexOf('\n');
      return (nl < 0 ? s : s.substring(0, nl)).trim();
    }
  }
}
