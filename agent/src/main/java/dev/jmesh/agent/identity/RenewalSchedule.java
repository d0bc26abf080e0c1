package dev.jmesh.agent.identity;

import java.time.Duration;
import java.time.Instant;
import java.util.random.RandomGenerator;

/**
 * When to renew a certificate: at half its lifetime, moved by up to ±10% of the lifetime so that
 * many workloads started together do not renew together. The lifetime counts from when the
 * certificate was received, not from its NotBefore (which the CA back-dates by two minutes), so
 * that certificates living a few seconds are renewed at their half-life too.
 */
public final class RenewalSchedule {

  private static final double HALF = 0.5;
  private static final double JITTER = 0.1;
  private static final Duration MINIMUM = Duration.ofMillis(200);

  private RenewalSchedule() {}

  public static Duration delayUntilRenewal(
      Instant received, Instant notAfter, Instant now, RandomGenerator random) {
    long lifetimeMillis = Math.max(0, Duration.between(received, notAfter).toMillis());
    double fraction = HALF + (random.nextDouble() * 2 - 1) * JITTER;
    Instant renewAt = received.plusMillis((long) (lifetimeMillis * fraction));
    Duration delay = Duration.between(now, renewAt);
    return delay.compareTo(MINIMUM) < 0 ? MINIMUM : delay;
  }
}
