package dev.jmesh.agent.runtime;

import io.netty.util.concurrent.EventExecutor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Until when connections made during start-up wait for what they need (the first snapshot, the
 * first certificate): {@code jmesh.startup.timeout} after the agent started. After it has passed,
 * they proceed with what is there.
 */
public final class StartupDeadline {

  private final Instant deadline;
  private final Clock clock;

  public StartupDeadline(Duration timeout) {
    this(Clock.systemUTC(), timeout);
  }

  StartupDeadline(Clock clock, Duration timeout) {
    this.clock = clock;
    this.deadline = clock.instant().plus(timeout);
  }

  public Duration remaining() {
    Duration d = Duration.between(clock.instant(), deadline);
    return d.isNegative() ? Duration.ZERO : d;
  }

  /**
   * Runs {@code then} on {@code executor} once {@code future} is done or the deadline has passed,
   * whichever is first; {@code then} checks which. Never blocks.
   */
  public void runWhenDoneOrExpired(
      CompletableFuture<?> future, EventExecutor executor, Runnable then) {
    runWhenDoneOrAfter(future, remaining(), executor, then);
  }

  /** As {@link #runWhenDoneOrExpired} with an explicit bound. */
  public static void runWhenDoneOrAfter(
      CompletableFuture<?> future, Duration bound, EventExecutor executor, Runnable then) {
    if (future.isDone() || bound.isZero()) {
      executor.execute(then);
      return;
    }
    AtomicBoolean ran = new AtomicBoolean();
    Runnable once =
        () -> {
          if (ran.compareAndSet(false, true)) {
            then.run();
          }
        };
    executor.schedule(once, bound.toMillis(), TimeUnit.MILLISECONDS);
    future.whenComplete((v, e) -> executor.execute(once));
  }

  /** Blocks the caller until {@code future} is done or the deadline has passed. */
  public void await(CompletableFuture<?> future) {
    if (future.isDone()) {
      return;
    }
    try {
      future.get(remaining().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // timed out or failed: the caller decides with what is there
    }
  }
}
