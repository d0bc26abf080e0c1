package dev.jmesh.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RequestContextTest {

  private static RequestContext context(String traceparent) {
    String[] values = new String[RequestContext.headerCount()];
    values[RequestContext.HEADERS.indexOf("traceparent")] = traceparent;
    return RequestContext.of(values);
  }

  @AfterEach
  void nothingLeftCurrent() {
    assertNull(RequestContext.current(), "a test left a context current");
  }

  @Test
  void theHeaderListIsIstiosPlusBaggage() {
    assertEquals(
        List.of("traceparent", "tracestate", "baggage", "b3", "x-b3-traceid", "x-b3-spanid",
            "x-b3-parentspanid", "x-b3-sampled", "x-b3-flags", "x-request-id"),
        RequestContext.HEADERS);
  }

  @Test
  void aContextWithNoValuesIsNoContext() {
    assertNull(RequestContext.of(new String[RequestContext.headerCount()]));
    assertNull(RequestContext.of(new String[3]));
  }

  @Test
  void valuesAreLookedUpByNameInAnyCase() {
    RequestContext context = context("00-a-b-01");
    assertEquals("00-a-b-01", context.value("TraceParent"));
    assertNull(context.value("x-request-id"));
  }

  @Test
  void theValuesAreCopied() {
    String[] values = new String[RequestContext.headerCount()];
    values[0] = "one";
    RequestContext context = RequestContext.of(values);
    values[0] = "two";
    assertEquals("one", context.value(0));
  }

  @Test
  void exitRestoresWhatWasCurrentBefore() {
    RequestContext outer = context("outer");
    RequestContext inner = context("inner");
    Object outerToken = RequestContext.enter(outer);
    Object innerToken = RequestContext.enter(inner);
    assertSame(inner, RequestContext.current());
    RequestContext.exit(innerToken);
    assertSame(outer, RequestContext.current());
    RequestContext.exit(outerToken);
    assertNull(RequestContext.current());
  }

  @Test
  void enteringNoContextChangesNothing() {
    Object token = RequestContext.enter(null);
    assertNull(token);
    RequestContext.exit(token);
    assertNull(RequestContext.current());
  }

  @Test
  void withNothingCurrentWrapReturnsTheTaskItself() {
    Runnable runnable = () -> {};
    Callable<String> callable = () -> "x";
    assertSame(runnable, RequestContext.wrap(runnable));
    assertSame(callable, RequestContext.wrap(callable));
  }

  @Test
  void aWrappedRunnableRunsWithTheContextItWasWrappedUnder() throws Exception {
    RequestContext context = context("wrapped");
    AtomicReference<RequestContext> seen = new AtomicReference<>();
    Runnable task;
    Object token = RequestContext.enter(context);
    try {
      task = RequestContext.wrap(() -> seen.set(RequestContext.current()));
      assertSame(task, RequestContext.wrap(task), "wrapped twice");
    } finally {
      RequestContext.exit(token);
    }
    Thread worker = new Thread(task);
    worker.start();
    worker.join();
    assertSame(context, seen.get());
    task.run();
    assertNull(RequestContext.current(), "the wrapper left its context current");
  }

  /** A task in a priority queue must stay comparable, so it is not wrapped. */
  @Test
  void aComparableTaskIsLeftAlone() {
    final class Prioritised implements Runnable, Comparable<Prioritised> {
      @Override
      public void run() {}

      @Override
      public int compareTo(Prioritised other) {
        return 0;
      }
    }
    Prioritised task = new Prioritised();
    Object token = RequestContext.enter(context("priority"));
    try {
      assertSame(task, RequestContext.wrap(task));
    } finally {
      RequestContext.exit(token);
    }
  }

  @Test
  void aWrappedCallableRunsWithTheContextAndRestoresTheCallersOwn() throws Exception {
    RequestContext submitted = context("submitted");
    RequestContext callers = context("callers");
    Callable<RequestContext> task;
    Object token = RequestContext.enter(submitted);
    try {
      task = RequestContext.wrap(RequestContext::current);
    } finally {
      RequestContext.exit(token);
    }
    Object callerToken = RequestContext.enter(callers);
    try {
      assertSame(submitted, task.call());
      assertSame(callers, RequestContext.current());
    } finally {
      RequestContext.exit(callerToken);
    }
  }

  @Test
  void aWrappedFutureTaskIsStillAFutureForAfterExecute() throws Exception {
    AtomicReference<Object> outcome = new AtomicReference<>();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(1, 1, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>()) {
          @Override
          protected void afterExecute(Runnable r, Throwable t) {
            try {
              outcome.set(r instanceof Future ? ((Future<?>) r).get() : "not a future");
            } catch (Exception e) {
              outcome.set(e);
            }
          }
        };
    try {
      FutureTask<RequestContext> future = new FutureTask<>(RequestContext::current);
      RequestContext context = context("future");
      Runnable wrapped;
      Object token = RequestContext.enter(context);
      try {
        wrapped = RequestContext.wrap(future);
      } finally {
        RequestContext.exit(token);
      }
      assertInstanceOf(RunnableFuture.class, wrapped);
      pool.execute(wrapped);
      assertSame(context, ((Future<?>) wrapped).get(10, TimeUnit.SECONDS));
      assertTrue(((Future<?>) wrapped).isDone());
      pool.shutdown();
      assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
      assertSame(context, outcome.get());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aWrapperDoesNotLeakItsContextIntoTheWorkersNextTask() throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Object token = RequestContext.enter(context("first"));
      Runnable first;
      try {
        first = RequestContext.wrap(() -> {});
      } finally {
        RequestContext.exit(token);
      }
      pool.submit(first).get(10, TimeUnit.SECONDS);
      assertNull(pool.submit(RequestContext::current).get(10, TimeUnit.SECONDS));
    } finally {
      pool.shutdownNow();
    }
  }
}
