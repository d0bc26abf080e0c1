package dev.jmesh.agent.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jmesh.agent.runtime.CapturedStderr;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** OpenTelemetry's java.util.logging output goes to the agent's log, never to the app's handlers. */
class OtelLogRoutingTest {

  @Test
  void sdkWarningsReachTheAgentLogOncePerKindAndNeverTheRootHandlers() {
    List<LogRecord> atRoot = new CopyOnWriteArrayList<>();
    Handler appHandler =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            atRoot.add(record);
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger root = Logger.getLogger("");
    root.addHandler(appHandler);
    try (CapturedStderr stderr = new CapturedStderr()) {
      OtelLogRouting.install();
      Logger sdk = Logger.getLogger(OtelLogRouting.rootPackage() + ".exporter.internal.Example");
      sdk.log(Level.SEVERE, "Failed to export 3 spans. Server is down");
      sdk.log(Level.SEVERE, "Failed to export 7 spans. Server is down");
      sdk.log(Level.WARNING, "Another kind of trouble");
      sdk.log(Level.INFO, "not worth a line");
      List<String> lines = stderr.text().lines().toList();
      assertEquals(2, lines.size(), stderr.text());
      assertTrue(lines.get(0).contains("[jmesh] WARN OpenTelemetry: Failed to export 3 spans"));
      assertTrue(lines.get(1).contains("[jmesh] WARN OpenTelemetry: Another kind of trouble"));
    } finally {
      root.removeHandler(appHandler);
    }
    assertEquals(List.of(), atRoot);
  }
}
