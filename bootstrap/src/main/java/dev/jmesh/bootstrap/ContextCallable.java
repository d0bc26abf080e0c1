package dev.jmesh.bootstrap;

import java.util.concurrent.Callable;

/** A callable handed to another thread, run there with the request context it was submitted under. */
final class ContextCallable<V> implements Callable<V> {

  private final RequestContext context;
  private final Callable<V> task;

  ContextCallable(RequestContext context, Callable<V> task) {
    this.context = context;
    this.task = task;
  }

  @Override
  public V call() throws Exception {
    Object token = RequestContext.enter(context);
    try {
      return task.call();
    } finally {
      RequestContext.exit(token);
    }
  }

  @Override
  public String toString() {
    return task.toString();
  }
}
