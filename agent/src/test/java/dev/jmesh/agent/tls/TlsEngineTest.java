package dev.jmesh.agent.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jmesh.agent.config.TlsProvider;
import dev.jmesh.agent.runtime.CapturedStderr;
import org.junit.jupiter.api.Test;

class TlsEngineTest {

  private static final Throwable NO_LIBRARY =
      new UnsatisfiedLinkError("no netty_tcnative in java.library.path");

  @Test
  void autoPicksBoringSslWhenItLoads() {
    assertEquals(TlsEngine.BORINGSSL, TlsEngine.choose(TlsProvider.AUTO, () -> null));
  }

  @Test
  void autoFallsBackToTheJdkQuietlyWhenBoringSslCannotLoad() {
    try (CapturedStderr stderr = new CapturedStderr()) {
      assertEquals(TlsEngine.JDK, TlsEngine.choose(TlsProvider.AUTO, () -> NO_LIBRARY));
      assertEquals("", stderr.text());
    }
  }

  @Test
  void jdkIsTheJdkEvenWhereBoringSslLoads() {
    assertEquals(TlsEngine.JDK, TlsEngine.choose(TlsProvider.JDK, () -> null));
  }

  @Test
  void opensslWhereItCannotLoadWarnsOnceAndUsesTheJdk() {
    try (CapturedStderr stderr = new CapturedStderr()) {
      assertEquals(TlsEngine.JDK, TlsEngine.choose(TlsProvider.OPENSSL, () -> NO_LIBRARY));
      assertEquals(TlsEngine.JDK, TlsEngine.choose(TlsProvider.OPENSSL, () -> NO_LIBRARY));
      String text = stderr.text();
      assertTrue(
          text.contains("jmesh.tls.provider=openssl but BoringSSL's native library did not load"),
          text);
      assertTrue(text.contains("no netty_tcnative"), text);
      assertEquals(text.indexOf("WARN"), text.lastIndexOf("WARN"), text);
    }
  }

  @Test
  void theDefaultEngineOnThisPlatformIsBoringSsl() {
    assertEquals(TlsEngine.BORINGSSL, TlsEngine.choose(TlsProvider.AUTO));
  }
}
