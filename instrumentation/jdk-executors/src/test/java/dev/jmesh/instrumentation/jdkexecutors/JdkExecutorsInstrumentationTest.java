package dev.jmesh.instrumentation.jdkexecutors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jmesh.bootstrap.RequestContext;
import dev.jmesh.instrumentation.tooling.Installer;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real JDK executors, instrumented in this JVM by the real installer: a task submitted while a
 * request context is current sees it on the worker, one submitted with none sees none, and the
 * worker has nothing current once the task is done.
 */
class JdkExecutorsInstrumentationTest {

  private static final long WAIT_SECONDS = 30;
  private static Installer installer;

  @BeforeAll
  static void instrument() {
    installer =
        new Installer(
            ByteBuddyAgent.install(), JdkExecutorsInstrumentationTest.class.getClassLoader());
    installer.install(List.of(new JdkExecutorsModule()));
  }

  @AfterAll
  static void noErrors() {
    assertEquals(0, installer.errorCount(), "the installer logged transformation errors");
  }

  @AfterEach
  void nothingLeftCurrentOnTheTestThread() {
    assertNull(RequestContext.current());
  }

  @Test
  void threadPoolExecutorExecuteAndSubmit() throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      provesContextIsCarried(
          task -> {
            CompletableFuture<RequestContext> seen = new CompletableFuture<>();
            pool.execute(() -> seen.complete(RequestContext.current()));
            return seen;
          });
      provesContextIsCarried(task -> pool.submit(task::get));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aSubmittedTaskIsStillAFutureInAfterExecute() throws Exception {
    BlockingQueue<Object> outcomes = new LinkedBlockingQueue<>();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(1, 1, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>()) {
          @Override
          protected void afterExecute(Runnable r, Throwable t) {
            try {
              outcomes.add(r instanceof Future ? ((Future<?>) r).get() : "not a future");
            } catch (Exception e) {
              outcomes.add(e);
            }
          }
        };
    try {
      RequestContext context = context("after-execute");
      Object token = RequestContext.enter(context);
      try {
        pool.submit(RequestContext::current);
      } finally {
        RequestContext.exit(token);
      }
      assertSame(context, outcomes.poll(WAIT_SECONDS, TimeUnit.SECONDS));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void scheduledThreadPoolExecutorScheduleAndPeriodicTasks() throws Exception {
    ScheduledExecutorService pool = Executors.newSingleThreadScheduledExecutor();
    try {
      provesContextIsCarried(task -> pool.schedule(task::get, 1, TimeUnit.MILLISECONDS));
      provesContextIsCarried(
          task -> {
            CompletableFuture<RequestContext> seen = new CompletableFuture<>();
            pool.schedule(() -> seen.complete(task.get()), 1, TimeUnit.MILLISECONDS);
            return seen;
          });
      provesContextIsCarried(
          task -> {
            CompletableFuture<RequestContext> seen = new CompletableFuture<>();
            AtomicReference<ScheduledFuture<?>> periodic = new AtomicReference<>();
            periodic.set(
                pool.scheduleAtFixedRate(
                    () -> {
                      seen.complete(task.get());
                    },
                    0,
                    1,
                    TimeUnit.MILLISECONDS));
            return seen.whenComplete((value, error) -> periodic.get().cancel(false));
          });
      provesContextIsCarried(task -> pool.submit(task::get));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void forkJoinPoolExecuteAndSubmit() throws Exception {
    ForkJoinPool pool = new ForkJoinPool(1);
    try {
      provesContextIsCarried(
          task -> {
            CompletableFuture<RequestContext> seen = new CompletableFuture<>();
            pool.execute(() -> seen.complete(task.get()));
            return seen;
          });
      provesContextIsCarried(task -> pool.submit(task::get));
      provesContextIsCarried(
          task -> {
            CompletableFuture<RequestContext> seen = new CompletableFuture<>();
            pool.submit(() -> {
              seen.complete(task.get());
            });
            return seen;
          });
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void completableFutureAsyncOnTheDefaultExecutor() throws Exception {
    provesContextIsCarried(CompletableFuture::supplyAsync);
    provesContextIsCarried(
        task -> CompletableFuture.completedFuture("x").thenApplyAsync(ignored -> task.get()));
  }

  @Test
  void completableFutureDelayedExecutor() throws Exception {
    provesContextIsCarried(
        task ->
            CompletableFuture.supplyAsync(
                task, CompletableFuture.delayedExecutor(1, TimeUnit.MILLISECONDS)));
  }

  @Test
  void forkJoinPoolScheduleOnJdk25() throws Exception {
    ForkJoinPool pool = new ForkJoinPool(1);
    try {
      assumeTrue(
          ScheduledExecutorService.class.isInstance(pool),
          "ForkJoinPool schedules tasks from JDK 25 on");
      ScheduledExecutorService scheduler = (ScheduledExecutorService) pool;
      provesContextIsCarried(task -> scheduler.schedule(task::get, 1, TimeUnit.MILLISECONDS));
      provesContextIsCarried(
          task -> {
            CompletableFuture<RequestContext> seen = new CompletableFuture<>();
            scheduler.schedule(() -> {
              seen.complete(task.get());
            }, 1, TimeUnit.MILLISECONDS);
            return seen;
          });
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void virtualThreadPerTaskExecutor() throws Exception {
    assumeTrue(Runtime.version().feature() >= 21, "virtual threads need JDK 21");
    ExecutorService pool =
        (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
    try {
      provesContextIsCarried(task -> pool.submit(task::get));
      provesContextIsCarried(
          task -> {
            CompletableFuture<RequestContext> seen = new CompletableFuture<>();
            pool.execute(() -> seen.complete(task.get()));
            return seen;
          });
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * {@code submit} hands {@code task} to an executor and returns its outcome. Submitted under a
   * context, the task sees it; submitted under none, it sees none; and the next task on the same
   * executor (often the same worker thread) does not see the first one's.
   */
  private static void provesContextIsCarried(
      Function<Supplier<RequestContext>, Future<RequestContext>> submit) throws Exception {
    Supplier<RequestContext> task = RequestContext::current;
    RequestContext context = context("00-" + System.nanoTime() + "-01");
    Future<RequestContext> underContext;
    Object token = RequestContext.enter(context);
    try {
      underContext = submit.apply(task);
    } finally {
      RequestContext.exit(token);
    }
    assertSame(context, underContext.get(WAIT_SECONDS, TimeUnit.SECONDS), "task under a context");
    assertNull(submit.apply(task).get(WAIT_SECONDS, TimeUnit.SECONDS), "task under no context");
    assertNull(submit.apply(task).get(WAIT_SECONDS, TimeUnit.SECONDS), "the next task");
    assertTrue(underContext.isDone());
  }

  private static RequestContext context(String traceparent) {
    String[] values = new String[RequestContext.headerCount()];
    values[RequestContext.HEADERS.indexOf("traceparent")] = traceparent;
    return RequestContext.of(values);
  }
}
