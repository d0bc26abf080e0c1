package dev.jmesh.agent.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jmesh.agent.config.TlsProvider;
import dev.jmesh.agent.runtime.CapturedStderr;
import org.junit.jupiter.api.Test;

class TlsEngineTest {

  private static final Throwable NO_LIBRARY =
      new UnsatisfiedLinkError("no netty_tcnative in java.library.path");

  @Test
  void autoPicksBoringSslWhenItLoads() {
    assertEquals(TlsEngine.BORINGSSL, TlsEngine.choose(TlsProvider.AUTO, false, () -> null));
  }

  @Test
  void autoFallsBackToTheJdkQuietlyWhenBoringSslCannotLoad() {
    try (CapturedStderr stderr = new CapturedStderr()) {
      assertEquals(TlsEngine.JDK, TlsEngine.choose(TlsProvider.AUTO, false, () -> NO_LIBRARY));
      assertEquals("", stderr.text());
    }
  }

  @Test
  void jdkIsTheJdkEvenWhereBoringSslLoads() {
    assertEquals(TlsEngine.JDK, TlsEngine.choose(TlsProvider.JDK, false, () -> null));
  }

  @Test
  void opensslWhereItCannotLoadWarnsOnceAndUsesTheJdk() {
    try (CapturedStderr stderr = new CapturedStderr()) {
      assertEquals(TlsEngine.JDK, TlsEngine.choose(TlsProvider.OPENSSL, false, () -> NO_LIBRARY));
      assertEquals(TlsEngine.JDK, TlsEngine.choose(TlsProvider.OPENSSL, false, () -> NO_LIBRARY));
      String text = stderr.text();
      assertTrue(
          text.contains("jmesh.tls.provider=openssl but BoringSSL's native library did not load"),
          text);
      assertTrue(text.contains("no netty_tcnative"), text);
      assertEquals(text.indexOf("WARN"), text.lastIndexOf("WARN"), text);
    }
  }

  @Test
  void autoStaysOnTheJdkWhereLoadingWouldWarnWithoutEvenTryingTheLibrary() {
    try (CapturedStderr stderr = new CapturedStderr()) {
      assertEquals(
          TlsEngine.JDK,
          TlsEngine.choose(
              TlsProvider.AUTO,
              true,
              () -> {
                throw new AssertionError("the library must not be loaded");
              }));
      assertEquals("", stderr.text());
    }
  }

  @Test
  void opensslLoadsEvenWhereLoadingWouldWarn() {
    assertEquals(TlsEngine.BORINGSSL, TlsEngine.choose(TlsProvider.OPENSSL, true, () -> null));
  }

  @Test
  void theDefaultEngineOnThisPlatformIsBoringSslUnlessLoadingWouldWarn() {
    // JDK 25 without --enable-native-access staying quiet on the JDK's TLS is Jdk25SmokeTest's
    // (surefire's own launcher may allow native access, so it cannot be pinned here).
    TlsEngine expected = TlsEngine.loadingWouldWarn() ? TlsEngine.JDK : TlsEngine.BORINGSSL;
    assertEquals(expected, TlsEngine.choose(TlsProvider.AUTO));
    if (Runtime.version().feature() < 24) {
      assertFalse(TlsEngine.loadingWouldWarn());
    }
  }
}
