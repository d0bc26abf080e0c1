package dev.jmesh.bootstrap;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A future task (what {@code ExecutorService.submit} hands to {@code execute}) run with the request
 * context it was submitted under. Still a {@link RunnableFuture} that answers for the task, so
 * {@code ThreadPoolExecutor.afterExecute} code that checks {@code r instanceof Future} and reads
 * its outcome keeps working.
 */
final class ContextRunnableFuture<V> implements RunnableFuture<V> {

  private final RequestContext context;
  private final RunnableFuture<V> task;

  ContextRunnableFuture(RequestContext context, RunnableFuture<V> task) {
    this.context = context;
    this.task = task;
  }

  @Override
  public void run() {
    Object token = RequestContext.enter(context);
    try {
      task.run();
    } finally {
      RequestContext.exit(token);
    }
  }

  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    return task.cancel(mayInterruptIfRunning);
  }

  @Override
  public boolean isCancelled() {
    return task.isCancelled();
  }

  @Override
  public boolean isDone() {
    return task.isDone();
  }

  @Override
  public V get() throws InterruptedException, ExecutionException {
    return task.get();
  }

  @Override
  public V get(long timeout, TimeUnit unit)
      throws InterruptedException, ExecutionException, TimeoutException {
    return task.get(timeout, unit);
  }

  @Override
  public String toString() {
    return task.toString();
  }
}
