package dev.jmesh.smoke;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Workload certificates that live 4 seconds are renewed under load without a single failed call:
 * a calls b 300 times over about 15 seconds while both agents rotate their certificates.
 */
@ExtendWith(PrintProcessOutputOnFailure.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CertificateRotationSmokeTest {

  private static final int CALLS = 300;
  private static final long CALL_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  @Test
  void callsKeepWorkingWhileCertificatesRotate() throws Exception {
    try (ControlServer control = ControlServer.start(ControlServer.options().certTtl("4s"));
        MeshApp a =
            MeshApp.builder("a", MeshApp.JDK_HTTP_SERVER)
                .joining(control)
                .agentProperty("jmesh.cert.ttl", "4s")
                .start();
        MeshApp b =
            MeshApp.builder("b", MeshApp.JDK_HTTP_SERVER)
                .joining(control)
                .agentProperty("jmesh.cert.ttl", "4s")
                .start()) {
      a.awaitReady();
      b.awaitReady();
      String url = "http://b:" + b.port() + "/hello";
      a.awaitCallOk(url, "jdk");

      List<String> failures = new ArrayList<>();
      Set<String> serialsSeen = new LinkedHashSet<>();
      serialsSeen.add(b.configDump().certificateSerial());
      long start = System.nanoTime();
      for (int i = 0; i < CALLS; i++) {
        // Paced, not synchronised: one call every 50 ms keeps the load steady across renewals.
        LockSupport.parkNanos(start + i * CALL_INTERVAL_NANOS - System.nanoTime());
        String client = i % 2 == 0 ? "jdk" : "urlconnection";
        try {
          MeshApp.CallResult result = a.call(url, client);
          if (!result.succeeded()) {
            failures.add("call " + i + " (" + client + "): " + result);
          }
        } catch (Exception e) {
          failures.add("call " + i + " (" + client + "): " + e);
        }
        if (i % 10 == 0) {
          serialsSeen.add(b.configDump().certificateSerial());
        }
      }
      serialsSeen.add(b.configDump().certificateSerial());
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);

      assertTrue(
          failures.isEmpty(),
          () -> failures.size() + " of " + CALLS + " calls failed in " + seconds + " s, first: "
              + failures.subList(0, Math.min(5, failures.size())));
      assertTrue(
          serialsSeen.size() >= 3,
          () -> "b's certificate serial changed " + (serialsSeen.size() - 1)
              + " times in " + seconds + " s (expected at least 2): " + serialsSeen
              + "\nconfig_dump: " + describe(b));
    }
  }

  private static String describe(MeshApp app) {
    try {
      return app.configDump().toString();
    } catch (Exception e) {
      return String.valueOf(e);
    }
  }
}
