package dev.jmesh.agent.control;

import java.time.Duration;

/** Retry delays that double from {@code initial} up to {@code max}, reset after a success. */
final class Backoff {

  private final Duration initial;
  private final Duration max;
  private Duration next;

  Backoff(Duration initial, Duration max) {
    this.initial = initial;
    this.max = max;
    this.next = initial;
  }

  synchronized Duration next() {
    Duration current = next;
    Duration doubled = next.multipliedBy(2);
    next = doubled.compareTo(max) > 0 ? max : doubled;
    return current;
  }

  synchronized void reset() {
    next = initial;
  }

  Duration initial() {
    return initial;
  }

  Duration max() {
    return max;
  }
}
