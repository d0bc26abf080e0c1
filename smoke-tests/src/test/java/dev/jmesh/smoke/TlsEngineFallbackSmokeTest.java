package dev.jmesh.smoke;

import static dev.jmesh.smoke.MeshAssertions.assertArrivedOverMutualTls;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The mesh's TLS engine from the real jar: a runs on the default, BoringSSL loaded from the
 * shaded jar; b asks for it ({@code jmesh.tls.provider=openssl}) but its native library cannot
 * be unpacked (the directory Netty unpacks to lies under a plain file, as with an unwritable
 * temporary directory), so b says so once on stderr and runs on the JDK's TLS, and on NIO instead of
 * epoll without a word (epoll is {@code auto}). The two engines then carry mutual TLS both ways with
 * each side's SPIFFE identity.
 */
@ExtendWith(PrintProcessOutputOnFailure.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TlsEngineFallbackSmokeTest {

  private static ControlServer control;
  private static MeshApp onBoringSsl;
  private static MeshApp onJdkFallback;
  private static Path notADirectory;

  @BeforeAll
  static void startMesh() throws IOException {
    notADirectory = Files.createTempFile("jmesh-smoke-", ".file");
    control = ControlServer.start();
    onBoringSsl = MeshApp.builder("a", MeshApp.JDK_HTTP_SERVER).joining(control).start();
    onJdkFallback =
        MeshApp.builder("b", MeshApp.JDK_HTTP_SERVER)
            .joining(control)
            .agentProperty("jmesh.tls.provider", "openssl")
            .jvmOption(
                "-Ddev.jmesh.shaded.io.netty.native.workdir=" + notADirectory.resolve("native"))
            .start();
    onBoringSsl.awaitReady();
    onJdkFallback.awaitReady();
  }

  @AfterAll
  static void stopMesh() throws IOException {
    SmokeEnvironment.closeAll(onBoringSsl, onJdkFallback, control);
    Files.deleteIfExists(notADirectory);
  }

  @Test
  void theStartUpLineNamesEachAgentsEngine() {
    assertTrue(
        onBoringSsl.process().awaitOutputLine("jmesh agent ", Duration.ofSeconds(10))
            .endsWith("mTLS by BoringSSL, I/O on epoll"));
    assertTrue(
        onJdkFallback.process().awaitOutputLine("jmesh agent ", Duration.ofSeconds(10))
            .endsWith("mTLS by JDK, I/O on NIO"));
  }

  @Test
  void aLibraryThatCannotLoadIsOneWarningAndTheJdksTls() {
    List<String> stderr = onJdkFallback.process().stderrLines();
    assertEquals(1, stderr.size(), () -> "stderr: " + stderr);
    String expected = "WARN jmesh.tls.provider=openssl but BoringSSL's native library did not load";
    assertTrue(stderr.get(0).contains(expected), stderr.get(0));
    assertEquals(List.of(), onBoringSsl.process().stderrLines());
  }

  @Test
  void boringSslCallsTheJdkEngine() throws Exception {
    String url = "http://b:" + onJdkFallback.port() + "/headers";
    assertArrivedOverMutualTls(onBoringSsl.awaitCallOk(url, "jdk"), onBoringSsl, onJdkFallback);
  }

  @Test
  void theJdkEngineCallsBoringSsl() throws Exception {
    String url = "http://a:" + onBoringSsl.port() + "/headers";
    assertArrivedOverMutualTls(onJdkFallback.awaitCallOk(url, "jdk"), onJdkFallback, onBoringSsl);
  }
}
