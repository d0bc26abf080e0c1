package dev.jmesh.agent.telemetry;

import io.micrometer.core.instrument.Counter;
import java.util.concurrent.atomic.LongAdder;

/**
 * A registered Micrometer counter that also adds every increment to a {@link LongAdder}, so a
 * {@link TrafficListener} sees TCP traffic through the meters the relays already increment.
 */
final class MirroredCounter implements Counter {

  private final Counter registered;
  private final LongAdder mirror;

  MirroredCounter(Counter registered, LongAdder mirror) {
    this.registered = registered;
    this.mirror = mirror;
  }

  @Override
  public void increment(double amount) {
    registered.increment(amount);
    mirror.add((long) amount);
  }

  @Override
  public double count() {
    return registered.count();
  }

  @Override
  public Id getId() {
    return registered.getId();
  }
}
