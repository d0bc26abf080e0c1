package dev.jmesh.instrumentation.jdkexecutors;

import dev.jmesh.bootstrap.RequestContext;
import java.util.concurrent.Callable;
import net.bytebuddy.asm.Advice;

/** Replaces the callable argument with one that runs under the current request context, if any. */
@SuppressWarnings("unused")
final class WrapCallableAdvice {

  private WrapCallableAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  static void enter(@Advice.Argument(value = 0, readOnly = false) Callable<?> task) {
    task = RequestContext.wrap(task);
  }
}
