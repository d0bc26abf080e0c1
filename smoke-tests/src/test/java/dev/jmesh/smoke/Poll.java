package dev.jmesh.smoke;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/** Waiting without sleeping blind: ask again until the answer is right or the deadline passes. */
final class Poll {

  private static final Duration INTERVAL = Duration.ofMillis(100);

  private Poll() {}

  /**
   * Calls {@code probe} until its result satisfies {@code done}, and returns that result. Fails
   * after {@code timeout} with {@code what}, the last result and the last exception.
   */
  static <T> T until(Duration timeout, String what, Callable<T> probe, Predicate<T> done) {
    long deadline = System.nanoTime() + timeout.toNanos();
    T last = null;
    Exception lastError = null;
    while (true) {
      try {
        last = probe.call();
        lastError = null;
        if (done.test(last)) {
          return last;
        }
      } catch (Exception e) {
        lastError = e;
      }
      if (System.nanoTime() - deadline > 0) {
        AssertionError error =
            new AssertionError(
                "timed out after " + timeout.toSeconds() + " s waiting for " + what
                    + "; last result: " + last
                    + (lastError == null ? "" : "; last error: " + lastError));
        if (lastError != null) {
          error.initCause(lastError);
        }
        throw error;
      }
      pause();
    }
  }

  /** Polls until {@code condition} holds. */
  static void until(Duration timeout, String what, Callable<Boolean> condition) {
    until(timeout, what, condition, Boolean.TRUE::equals);
  }

  /** Polls {@code probe} until it stops throwing, and returns its result. */
  static <T> T untilNoError(Duration timeout, String what, Callable<T> probe) {
    return until(timeout, what, probe, result -> true);
  }

  static void pause() {
    try {
      Thread.sleep(INTERVAL.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail("interrupted");
    }
  }
}
