package dev.jmesh.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The README's first command: {@code jmesh-control-server.jar demo} builds a working mesh of three
 * services on the embedded store, and its traffic really crosses it over mTLS.
 */
@ExtendWith(PrintProcessOutputOnFailure.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class DemoSmokeTest {

  @Test
  void demoRunsAMeshAndShowsTheCallersIdentity() throws Exception {
    Path dataDir = Files.createTempDirectory(SmokeEnvironment.logsDir(), "demo-");
    try (ManagedProcess demo =
        new ManagedProcess(
            "demo",
            List.of(
                SmokeEnvironment.defaultJava().toString(),
                "-Xmx128m",
                "-jar",
                SmokeEnvironment.controlServerJar().toString(),
                "demo",
                "--data-dir",
                dataDir.toString(),
                "--port",
                String.valueOf(FreePorts.next()),
                "--agent-jar",
                SmokeEnvironment.agentJar().toString(),
                "--apps-jar",
                SmokeEnvironment.sampleAppsJar().toString(),
                "--exit-after-traffic"),
            Map.of())) {
      assertTrue(demo.process().waitFor(3, TimeUnit.MINUTES), "demo did not finish");
      String out = demo.stdout();
      assertEquals(0, demo.process().exitValue(), () -> "demo failed:\n" + out + demo.stderr());
      for (int i = 1; i <= 5; i++) {
        assertTrue(out.contains("request " + i + ": HTTP 200"), "request " + i + ":\n" + out);
      }
      assertTrue(
          out.contains("caller spiffe://cluster.local/ns/default/sa/orders")
              && out.contains("itself spiffe://cluster.local/ns/default/sa/payments"),
          () -> "payments did not see orders' identity over mTLS:\n" + out);
      assertTrue(out.contains("refused:"), () -> "plaintext to STRICT orders was served:\n" + out);
      assertTrue(
          out.contains("frontend.default -> orders.default")
              && out.contains("orders.default -> payments.default"),
          () -> "the demo's service graph misses an edge of the call chain:\n" + out);
    }
  }
}
