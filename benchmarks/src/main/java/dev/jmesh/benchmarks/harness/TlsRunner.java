package dev.jmesh.benchmarks.harness;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * TLS cost on one core: the JDK's TLS ({@code TlsCost} in a child JVM) beside {@code openssl speed}
 * and {@code openssl s_time -new} against {@code openssl s_server}, every process pinned to the
 * same CPU so that "per second" means "per core".
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
    System.out.println("tls: JDK TLS (SSLEngine) handshakes and bulk throughput");
    try {
      Processes.Result jdk = procs.run("tls-jdk", pinned(settings.java().toString(), "-Xmx256m", "-XX:+UseSerialGC",
          "-cp", settings.benchmarksJar().toString(), "dev.jmesh.benchmarks.tls.TlsCost", pki.toString(),
          String.valueOf(settings.tlsSeconds())), Map.of(), Duration.ofSeconds(120));
      String line = lastJsonLine(jdk.output());
      if (jdk.exitCode() != 0 || line == null) {
        result.put("jdkError", jdk.output().trim());
      } else {
        result.put("jdk", new ObjectMapper().readTree(line));
      }
    } catch (Exception e) {
      result.put("jdkError", e.toString());
    }

    System.out.println("tls: openssl speed");
    int speedSeconds = settings.quick() ? 1 : 2;
    Processes.Result speed = procs.run("openssl-speed", pinned("openssl", "speed", "-seconds", String.valueOf(speedSeconds),
        "ecdhp256", "aes-128-gcm"), Map.of(), Duration.ofSeconds(120));
    Matcher ecdh = Pattern.compile("256 bits ecdh \\(nistp256\\)\\s+\\S+s\\s+([0-9.]+)").matcher(speed.output());
    if (ecdh.find()) {
      result.put("opensslEcdhP256PerSecond", Double.parseDouble(ecdh.group(1)));
    }
    Matcher gcm = Pattern.compile("(?m)^AES-128-GCM\\s+(.*)$", Pattern.CASE_INSENSITIVE).matcher(speed.output());
    if (gcm.find()) {
      String[] cols = gcm.group(1).trim().split("\\s+");
      String last = cols[cols.length - 1].replace("k", "");
      result.put("opensslAes128GcmMBPerSecond16k", Double.parseDouble(last) * 1000 / 1e6);
    }
    if (!result.containsKey("opensslEcdhP256PerSecond")) {
      result.put("opensslSpeedOutput", speed.output().trim());
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
      Processes.Result st = procs.run("openssl-s_time", pinned("openssl", "s_time", "-connect", "127.0.0.1:" + port, "-new",
          "-tls1_3", "-ciphersuites", "TLS_AES_128_GCM_SHA256", "-time", String.valueOf(seconds),
          "-cert", pki.resolve("client.pem").toString(), "-key", pki.resolve("client.key").toString(),
          "-CAfile", pki.resolve("ca.pem").toString()), Map.of(), Duration.ofSeconds(seconds + 60L));
      Matcher real = Pattern.compile("(\\d+) connections in (\\d+) real seconds").matcher(st.output());
      if (real.find()) {
        double perSecond = Double.parseDouble(real.group(1)) / Double.parseDouble(real.group(2));
        result.put("opensslHandshakesPerSecondOneCore", perSecond);
      } else {
        result.put("opensslSTimeOutput", st.output().trim());
      }
    } finally {
      procs.stop(server);
    }
    Object jdk = result.get("jdk");
    Object openssl = result.get("opensslHandshakesPerSecondOneCore");
    if (jdk instanceof com.fasterxml.jackson.databind.JsonNode node && openssl instanceof Double o) {
      double java = node.get("handshakesPerCpuSecond").asDouble();
      // CPU per handshake, JDK over OpenSSL (target: ≤ 2).
      result.put("handshakeCpuRatioJdkOverOpenssl", o / java);
    }
  }

  private static String lastJsonLine(String output) {
    String found = null;
    for (String l : output.split("\n")) {
      if (l.startsWith("{")) {
        found = l;
      }
    }
    return found;
  }
}
