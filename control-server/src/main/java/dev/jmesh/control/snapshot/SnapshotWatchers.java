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
import java.util.concurrent.atomic.AtomicLong;

/**
 * Agents waiting for a snapshot newer than the one they have. A watcher holds no thread while it
 * waits: it is a pair of callbacks in a set, answered on {@code responder} either when a new
 * version is <em>published</em> to watchers, or when its wait runs out.
 *
 * <p>Version changes are debounced as istiod does ({@code PILOT_DEBOUNCE_AFTER}, {@code
 * PILOT_DEBOUNCE_MAX}): the first change of a burst starts a window; the version is published once
 * no further change came for {@code debounceAfter}, or at the latest {@code debounceMax} after the
 * first change of the burst. A burst of registrations or policy applies thus wakes each parked
 * watcher once, with the latest snapshot. A watcher that arrives already behind the published
 * version (a new agent, or one that missed a push) is answered at once.
 */
public final class SnapshotWatchers {

  /** How long the version must stay still before watchers are woken (istiod: 100 ms). */
  public static final Duration DEFAULT_DEBOUNCE_AFTER = Duration.ofMillis(100);

  /** The longest a burst of changes may hold back waking watchers (istiod: 10 s; here 1 s). */
  public static final Duration DEFAULT_DEBOUNCE_MAX = Duration.ofSeconds(1);

  private final MeshVersion version;
  private final ScheduledExecutorService timer;
  private final Executor responder;
  private final long debounceAfterNanos;
  private final long debounceMaxNanos;
  private final Set<Watcher> watchers = ConcurrentHashMap.newKeySet();

  /** The newest version watchers have been woken for. */
  private final AtomicLong published;

  private final Object burstLock = new Object();
  private boolean flushPending; // guarded by burstLock
  private long burstStartNanos; // guarded by burstLock
  private long lastChangeNanos; // guarded by burstLock

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

  /** Watchers with the server's default debounce (100 ms after the last change, 1 s at most). */
  public SnapshotWatchers(MeshVersion version, ScheduledExecutorService timer, Executor responder) {
    this(version, timer, responder, DEFAULT_DEBOUNCE_AFTER, DEFAULT_DEBOUNCE_MAX);
  }

  /**
   * @param debounceAfter how long the version must stay still before watchers are woken; zero wakes
   *     them on the thread that made each change
   * @param debounceMax the longest after the first change of a burst before watchers are woken,
   *     even if changes keep coming
   */
  public SnapshotWatchers(
      MeshVersion version,
      ScheduledExecutorService timer,
      Executor responder,
      Duration debounceAfter,
      Duration debounceMax) {
    if (debounceAfter.isNegative() || debounceMax.isNegative()) {
      throw new IllegalArgumentException(
          "debounce delays must not be negative: " + debounceAfter + ", " + debounceMax);
    }
    this.version = version;
    this.timer = timer;
    this.responder = responder;
    this.debounceAfterNanos = debounceAfter.toNanos();
    this.debounceMaxNanos = debounceMax.toNanos();
    this.published = new AtomicLong(version.current());
    version.onChange(this::versionChanged);
  }

  /**
   * Whether an agent that knows {@code knownVersion} should get the current snapshot at once: it is
   * behind the version published to watchers, or ahead of the server's (it saw another server).
   * An agent between the two waits for the next publication.
   */
  public boolean isBehind(long knownVersion) {
    return knownVersion < published.get() || knownVersion > version.current();
  }

  /** The newest version watchers have been woken for. */
  public long publishedVersion() {
    return published.get();
  }

  /**
   * Runs {@code onChange} when a version newer than {@code knownVersion} is published (at once if
   * the agent is already {@linkplain #isBehind behind}), or {@code onTimeout} after {@code wait};
   * exactly one of them runs.
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
    // A version may have been published between the caller's check and the add above.
    if (isBehind(knownVersion)) {
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
    if (debounceAfterNanos == 0) {
      publish();
      return;
    }
    long now = System.nanoTime();
    synchronized (burstLock) {
      lastChangeNanos = now;
      if (flushPending) {
        return;
      }
      flushPending = true;
      burstStartNanos = now;
    }
    schedule(Math.min(debounceAfterNanos, debounceMaxNanos));
  }

  /** On the timer: publishes if the burst has gone quiet or has lasted long enough. */
  private void flushIfDue() {
    long wait;
    synchronized (burstLock) {
      long now = System.nanoTime();
      long quietAt = lastChangeNanos + debounceAfterNanos;
      long maxAt = burstStartNanos + debounceMaxNanos;
      long due = quietAt - maxAt < 0 ? quietAt : maxAt;
      wait = due - now;
      if (wait <= 0) {
        flushPending = false;
      }
    }
    if (wait > 0) {
      schedule(wait);
    } else {
      publish();
    }
  }

  private void schedule(long delayNanos) {
    try {
      timer.schedule(this::flushIfDue, delayNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // The server is stopping; wake the watchers now rather than never.
      synchronized (burstLock) {
        flushPending = false;
      }
      publish();
    }
  }

  /** Publishes the current version and wakes every watcher now behind it. */
  private void publish() {
    published.accumulateAndGet(version.current(), Math::max);
    for (Watcher watcher : watchers) {
      if (isBehind(watcher.knownVersion)) {
        watcher.answer(watcher.onChange);
      }
    }
  }
}
