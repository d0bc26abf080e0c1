package dev.jmesh.benchmarks.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jmesh.benchmarks.load.ProcStats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * TLS cost on one core: the agent's TLS engines ({@code TlsCost} in a child JVM: the JDK's on the
 * run's JDK and on JDK 25, BoringSSL through Netty's OpenSSL engine, the agent's default) beside
 * {@code openssl speed} and {@code openssl s_time -new} against {@code openssl s_server}, every
 * process pinned to the same CPU so that "per second" means "per core".
 */
final class TlsRunner {

  private final Settings settings;
  private final Processes procs;
  private final Path pki;
  final Map<String, Object> result = new LinkedHashMap<>();

  TlsRunner(Settings settings, Processes procs, Path pki) {
    this.settings = settings;
    this.procs = procs;
    this.pki = pki;
  }

  private List<String> pinned(String... cmd) {
    List<String> all = new ArrayList<>();
    if (settings.pinned()) {
      all.addAll(List.of("taskset", "-c", String.valueOf(Settings.SERVER_CPU)));
    }
    all.addAll(List.of(cmd));
    return all;
  }

  void run() {
    // Results "jdk" and "openssl" (the agent's default engine), both on the run's JDK.
    engines(Map.of("jdk", "jdk", "openssl", "openssl"), settings.java().toString());
    Path jdk25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");
    if (!settings.quick() && java.nio.file.Files.isExecutable(jdk25)) {
      engines(Map.of("jdk", "jdk25"), jdk25.toString());
    }

    System.out.println("tls: openssl speed");
    int speedSeconds = settings.quick() ? 1 : 2;
    Processes.Result speed = procs.run("openssl-speed-ecdh", pinned("openssl", "speed", "-seconds",
        String.valueOf(speedSeconds), "ecdhp256"), Map.of(), Duration.ofSeconds(120));
    Matcher ecdh = Pattern.compile("256 bits ecdh \\(nistp256\\)\\s+\\S+s\\s+([0-9.]+)").matcher(speed.output());
    if (ecdh.find()) {
      result.put("opensslEcdhP256PerSecond", Double.parseDouble(ecdh.group(1)));
    } else {
      result.put("opensslSpeedEcdhOutput", speed.output().trim());
    }
    Processes.Result gcmRun = procs.run("openssl-speed-gcm", pinned("openssl", "speed", "-seconds",
        String.valueOf(speedSeconds), "-evp", "aes-128-gcm"), Map.of(), Duration.ofSeconds(120));
    Matcher gcm = Pattern.compile("(?m)^AES-128-GCM\\s+(.*)$", Pattern.CASE_INSENSITIVE).matcher(gcmRun.output());
    if (gcm.find()) {
      String[] cols = gcm.group(1).trim().split("\\s+");
      String last = cols[cols.length - 1].replace("k", "");
      result.put("opensslAes128GcmMBPerSecond16k", Double.parseDouble(last) * 1000 / 1e6);
    } else {
      result.put("opensslSpeedGcmOutput", gcmRun.output().trim());
    }

    System.out.println("tls: openssl s_time -new against s_server (mutual TLS 1.3)");
    int port = Processes.freePort();
    Processes.Child server = procs.start("openssl-s_server", pinned("openssl", "s_server", "-quiet",
        "-accept", "127.0.0.1:" + port, "-cert", pki.resolve("server.pem").toString(), "-key", pki.resolve("server.key").toString(),
        "-CAfile", pki.resolve("ca.pem").toString(), "-Verify", "1", "-tls1_3", "-ciphersuites", "TLS_AES_128_GCM_SHA256"),
        Map.of());
    try {
      Processes.sleep(500);
      int seconds = (int) Math.max(2, Math.round(settings.tlsSeconds()));
      double serverCpu0 = ProcStats.cpuSeconds(server.pid());
      // sh reports its waited-for child's CPU (cutime + cstime in /proc/<sh>/stat) after s_time ends.
      List<String> sTime = new ArrayList<>(pinned("sh", "-c", "\"$@\"; echo; echo CHILDSTAT $(cat /proc/$$/stat)", "sh"));
      sTime.addAll(List.of("openssl", "s_time", "-connect", "127.0.0.1:" + port, "-new",
          "-tls1_3", "-ciphersuites", "TLS_AES_128_GCM_SHA256", "-time", String.valueOf(seconds),
          "-cert", pki.resolve("client.pem").toString(), "-key", pki.resolve("client.key").toString(),
          "-CAfile", pki.resolve("ca.pem").toString()));
      Processes.Result st = procs.run("openssl-s_time", sTime, Map.of(), Duration.ofSeconds(seconds + 60L));
      double serverCpu = ProcStats.cpuSeconds(server.pid()) - serverCpu0;
      Matcher real = Pattern.compile("(\\d+) connections in (\\d+) real seconds").matcher(st.output());
      if (real.find()) {
        double perSecond = Double.parseDouble(real.group(1)) / Double.parseDouble(real.group(2));
        result.put("opensslHandshakesPerSecondOneCore", perSecond);
        Matcher stat = Pattern.compile("CHILDSTAT .*\\) (.*)").matcher(st.output());
        if (stat.find()) {
          String[] f = stat.group(1).trim().split(" ");
          // f[0] is field 3; cutime is field 16, cstime field 17.
          double clientCpu = (Long.parseLong(f[13]) + Long.parseLong(f[14])) / 100.0;
          result.put("opensslCpuSeconds", Map.of("s_time", clientCpu, "s_server", serverCpu));
          result.put("opensslHandshakesPerCpuSecond", Double.parseDouble(real.group(1)) / (clientCpu + serverCpu));
        }
      } else {
        result.put("opensslSTimeOutput", st.output().trim());
      }
    } finally {
      procs.stop(server);
    }
    Object openssl = result.containsKey("opensslHandshakesPerCpuSecond")
        ? result.get("opensslHandshakesPerCpuSecond") : result.get("opensslHandshakesPerSecondOneCore");
    if (openssl instanceof Double o) {
      // CPU per handshake over OpenSSL's (target: ≤ 2 for the agent's engine).
      ratio("handshakeCpuRatioJdkOverOpenssl", result.get("jdk"), o);
      ratio("handshakeCpuRatioAgentOverOpenssl", result.get("openssl"), o);
    }
  }

  private void ratio(String key, Object engine, double opensslPerCpuSecond) {
    if (engine instanceof JsonNode node) {
      result.put(key, opensslPerCpuSecond / node.get("handshakesPerCpuSecond").asDouble());
    }
  }

  /**
   * Runs {@code TlsCost} for the engines in {@code resultKeys} (engine name → result key) on one
   * JDK; each engine's JSON object goes under its key, a failure under {@code <key>Error}.
   */
  private void engines(Map<String, String> resultKeys, String java) {
    List<String> engines = resultKeys.keySet().stream().sorted().toList();
    System.out.println("tls: " + engines + " TLS engine handshakes and bulk throughput on " + java);
    try {
      Processes.Result run = procs.run("tls-" + String.join("-", resultKeys.values().stream().sorted().toList()),
          pinned(java, "-Xmx256m", "-XX:+UseSerialGC", "-cp", settings.benchmarksJar().toString(),
              "dev.jmesh.benchmarks.tls.TlsCost", pki.toString(), String.valueOf(settings.tlsSeconds()),
              String.join(",", engines)),
          Map.of(), Duration.ofSeconds(240));
      ObjectMapper json = new ObjectMapper();
      for (String l : run.output().split("\n")) {
        if (l.startsWith("{")) {
          JsonNode node = json.readTree(l);
          String key = resultKeys.get(node.path("engine").asText("jdk"));
          if (key != null) {
            result.put(key, node);
          }
        }
      }
      for (String key : resultKeys.values()) {
        if (!result.containsKey(key)) {
          result.put(key + "Error", run.exitCode() != 0 || run.output().isBlank()
              ? run.output().trim() : "no result for this engine: " + run.output().trim());
        }
      }
    } catch (Exception e) {
      resultKeys.values().forEach(key -> result.put(key + "Error", e.toString()));
    }
  }
}
