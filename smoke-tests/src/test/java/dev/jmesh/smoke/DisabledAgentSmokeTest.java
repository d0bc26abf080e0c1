package dev.jmesh.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.ConnectException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code jmesh.enabled=false}: the agent jar is attached but does nothing at all. */
@ExtendWith(PrintProcessOutputOnFailure.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class DisabledAgentSmokeTest {

  @Test
  void disabledAgentLeavesTheAppAlone() throws Exception {
    try (MeshApp app =
        MeshApp.builder("a", MeshApp.JDK_HTTP_SERVER)
            .control("https://127.0.0.1:" + FreePorts.next())
            .token("jmesh1.0000000000000000.00000000000000000000000000000000."
                + "0".repeat(64))
            .agentProperty("jmesh.enabled", "false")
            .start()) {
      app.awaitServing();

      assertEquals("hello from a", app.get("/hello").body());
      // The app's own listener is the only one: no agent listener in front, no admin endpoint.
      assertEquals(
          Set.of(app.port()),
          ListeningPorts.of(app.process().process().pid()),
          "ports the JVM listens on");
      assertThrows(ConnectException.class, () -> Http.get(app.adminPort(), "/config_dump"));
      List<String> agentLines = app.agentStderrLines();
      assertEquals(List.of(), agentLines, "agent wrote to stderr");
    }
  }

  @Test
  void disabledThroughTheEnvironmentToo() throws IOException, InterruptedException {
    try (MeshApp app =
        MeshApp.builder("a", MeshApp.JDK_HTTP_SERVER)
            .control("https://127.0.0.1:" + FreePorts.next())
            .env("JMESH_ENABLED", "false")
            .start()) {
      app.awaitServing();

      assertEquals(
          Set.of(app.port()),
          ListeningPorts.of(app.process().process().pid()),
          "ports the JVM listens on");
      assertThrows(ConnectException.class, () -> Http.get(app.adminPort(), "/config_dump"));
    }
  }
}
