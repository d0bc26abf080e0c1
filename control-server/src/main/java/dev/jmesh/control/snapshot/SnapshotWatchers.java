package dev.jmesh.control.snapshot;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Agents waiting for a snapshot newer than the one they have. A watcher holds no thread while it
 * waits: it is a pair of callbacks in a set, answered on {@code responder} either when the global
 * version moves away from the version the agent knows, or when its wait runs out.
 */
public final class SnapshotWatchers {

  private final MeshVersion version;
  private final ScheduledExecutorService timer;
  private final Executor responder;
  private final Set<Watcher> watchers = ConcurrentHashMap.newKeySet();

  private final class Watcher {
    final long knownVersion;
    final Runnable onChange;
    final Runnable onTimeout;
    final AtomicBoolean answered = new AtomicBoolean();
    volatile ScheduledFuture<?> timeout;

    Watcher(long knownVersion, Runnable onChange, Runnable onTimeout) {
      this.knownVersion = knownVersion;
      this.onChange = onChange;
      this.onTimeout = onTimeout;
    }

    /** Answers once: the first of change, timeout or shutdown wins. */
    void answer(Runnable answer) {
      if (!answered.compareAndSet(false, true)) {
        return;
      }
      watchers.remove(this);
      ScheduledFuture<?> pending = timeout;
      if (pending != null) {
        pending.cancel(false);
      }
      try {
        responder.execute(answer);
      } catch (RejectedExecutionException e) {
        answer.run();
      }
    }
  }

  public SnapshotWatchers(MeshVersion version, ScheduledExecutorService timer, Executor responder) {
    this.version = version;
    this.timer = timer;
    this.responder = responder;
    version.onChange(this::versionChanged);
  }

  /**
   * Runs {@code onChange} as soon as the version differs from {@code knownVersion} (at once if it
   * already does), or {@code onTimeout} after {@code wait}; exactly one of them runs.
   */
  public void watch(long knownVersion, Duration wait, Runnable onChange, Runnable onTimeout) {
    Watcher watcher = new Watcher(knownVersion, onChange, onTimeout);
    watchers.add(watcher);
    watcher.timeout =
        timer.schedule(
            () -> watcher.answer(watcher.onTimeout), wait.toMillis(), TimeUnit.MILLISECONDS);
    if (watcher.answered.get()) {
      watcher.timeout.cancel(false);
    }
    // The version may have moved between the caller's check and the add above.
    if (version.current() != knownVersion) {
      watcher.answer(watcher.onChange);
    }
  }

  /** How many agents are waiting right now. */
  public int waiting() {
    return watchers.size();
  }

  /** Answers every waiting agent as if its wait had run out (at shutdown). */
  public void releaseAll() {
    for (Watcher watcher : watchers) {
      watcher.answer(watcher.onTimeout);
    }
  }

  private void versionChanged(long newVersion) {
    for (Watcher watcher : watchers) {
      if (watcher.knownVersion != newVersion) {
        watcher.answer(watcher.onChange);
      }
    }
  }
}
