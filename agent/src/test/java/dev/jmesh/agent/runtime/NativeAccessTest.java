package dev.jmesh.agent.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class NativeAccessTest {

  @Test
  void anAvailableLibraryHasNoReason() {
    assertNull(NativeAccess.whyUnavailable(() -> true, () -> new AssertionError("not asked"), "x"));
  }

  @Test
  void anUnavailableLibraryGivesItsOwnCauseOrAPlainOne() {
    Throwable cause = new UnsatisfiedLinkError("no libx in java.library.path");

    assertSame(cause, NativeAccess.whyUnavailable(() -> false, () -> cause, "x"));
    assertEquals(
        "epoll is not available",
        NativeAccess.whyUnavailable(() -> false, () -> null, "epoll").getMessage());
  }

  @Test
  void missingClassesAreTheReasonNotAFailure() {
    NoClassDefFoundError missing = new NoClassDefFoundError("io/netty/channel/epoll/Epoll");

    assertSame(
        missing,
        NativeAccess.whyUnavailable(
            () -> {
              throw missing;
            },
            () -> null,
            "epoll"));
  }
}
