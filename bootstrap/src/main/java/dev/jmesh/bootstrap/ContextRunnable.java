package dev.jmesh.bootstrap;

/** A task handed to another thread, run there with the request context it was submitted under. */
final class ContextRunnable implements Runnable {

  private final RequestContext context;
  private final Runnable task;

  ContextRunnable(RequestContext context, Runnable task) {
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
  public String toString() {
    return task.toString();
  }
}
