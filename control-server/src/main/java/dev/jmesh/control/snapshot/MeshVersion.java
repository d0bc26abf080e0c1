package dev.jmesh.control.snapshot;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * The one global snapshot version. Every registry and policy change moves it forward; listeners are
 * told of each new value so that agents waiting on {@code GET /v1/snapshot} are answered.
 *
 * <p>Changes become visible before the version that announces them: a reader that sees version v
 * also sees every change made at or before v.
 */
public final class MeshVersion {

  /** A change made at a version it learns before anyone can observe that version. */
  @FunctionalInterface
  public interface VersionedChange<E extends Exception> {
    void applyAt(long version) throws E;
  }

  private final AtomicLong value;
  private final List<LongConsumer> listeners = new CopyOnWriteArrayList<>();

  public MeshVersion(long initial) {
    this.value = new AtomicLong(initial);
  }

  public long current() {
    return value.get();
  }

  /** Announces a change already made visible; returns the new version. */
  public long bump() {
    return change(version -> {});
  }

  /**
   * Runs {@code change} with the next version, then publishes that version. If the change throws,
   * the version stays where it was.
   */
  public <E extends Exception> long change(VersionedChange<E> change) throws E {
    long next;
    synchronized (this) {
      next = value.get() + 1;
      change.applyAt(next);
      value.set(next);
    }
    for (LongConsumer listener : listeners) {
      listener.accept(next);
    }
    return next;
  }

  /** Makes sure the version is at least {@code floor} (a store reopened with newer versions). */
  public synchronized void advanceTo(long floor) {
    value.accumulateAndGet(floor, Math::max);
  }

  /** Calls {@code listener} with each new version, on the thread that made the change. */
  public void onChange(LongConsumer listener) {
    listeners.add(listener);
  }
}
