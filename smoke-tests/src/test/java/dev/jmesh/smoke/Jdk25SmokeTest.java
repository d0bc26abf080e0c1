package dev.jmesh.smoke;

import static dev.jmesh.smoke.MeshAssertions.assertArrivedOverMutualTls;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The agent on the two JDKs it supports side by side: a runs on the JDK running the build (17),
 * b on Temurin 25; each calls the other over the mesh, and a clean start prints nothing at all on
 * stderr on either JDK (no agent lines, no JVM warnings the agent causes such as CDS or
 * sun.misc.Unsafe notices).
 */
@ExtendWith(PrintProcessOutputOnFailure.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class Jdk25SmokeTest {

  private static ControlServer control;
  private static MeshApp onJdk17;
  private static MeshApp onJdk25;

  @BeforeAll
  static void startMesh() {
    var jdk25 = SmokeEnvironment.jdk25Java();
    control = ControlServer.start();
    onJdk17 = MeshApp.builder("a", MeshApp.JDK_HTTP_SERVER).joining(control).start();
    onJdk25 = MeshApp.builder("b", MeshApp.JDK_HTTP_SERVER).joining(control).java(jdk25).start();
    onJdk17.awaitReady();
    onJdk25.awaitReady();
  }

  @AfterAll
  static void stopMesh() {
    SmokeEnvironment.closeAll(onJdk17, onJdk25, control);
  }

  @Test
  void appOnJdk17CallsAppOnJdk25() throws Exception {
    String url = "http://b:" + onJdk25.port() + "/headers";
    assertArrivedOverMutualTls(onJdk17.awaitCallOk(url, "jdk"), onJdk17, onJdk25);
    assertArrivedOverMutualTls(onJdk17.callOk(url, "urlconnection"), onJdk17, onJdk25);
  }

  @Test
  void appOnJdk25CallsAppOnJdk17() throws Exception {
    String url = "http://a:" + onJdk17.port() + "/headers";
    assertArrivedOverMutualTls(onJdk25.awaitCallOk(url, "jdk"), onJdk25, onJdk17);
    assertArrivedOverMutualTls(onJdk25.callOk(url, "urlconnection"), onJdk25, onJdk17);
  }

  @Test
  void cleanStartPrintsNothingOnStderrOnJdk17() {
    List<String> stderr = onJdk17.process().stderrLines();
    assertEquals(List.of(), stderr, "stderr of an agent-attached app on JDK 17");
  }

  @Test
  void cleanStartPrintsNothingOnStderrOnJdk25() {
    List<String> stderr = onJdk25.process().stderrLines();
    assertEquals(List.of(), stderr, "stderr of an agent-attached app on JDK 25");
  }
}
