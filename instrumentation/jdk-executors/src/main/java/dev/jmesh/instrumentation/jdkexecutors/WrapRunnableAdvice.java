package dev.jmesh.instrumentation.jdkexecutors;

import dev.jmesh.bootstrap.RequestContext;
import net.bytebuddy.asm.Advice;

/** Replaces the task argument with one that runs under the current request context, if any. */
@SuppressWarnings("unused")
final class WrapRunnableAdvice {

  private WrapRunnableAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  static void enter(@Advice.Argument(value = 0, readOnly = false) Runnable task) {
    task = RequestContext.wrap(task);
  }
}
