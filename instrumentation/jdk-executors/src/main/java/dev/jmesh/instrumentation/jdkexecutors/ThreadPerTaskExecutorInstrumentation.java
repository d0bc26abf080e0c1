package dev.jmesh.instrumentation.jdkexecutors;

import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;

import dev.jmesh.instrumentation.tooling.AdviceTarget;
import dev.jmesh.instrumentation.tooling.TypeInstrumentation;
import java.util.concurrent.Callable;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Executors that start a thread per task: {@code CompletableFuture}'s own (what {@code *Async}
 * uses on JDK 17 when the common pool has a single thread, as on a two-core machine) and
 * {@code java.util.concurrent.ThreadPerTaskExecutor} (JDK 21+,
 * {@code Executors.newVirtualThreadPerTaskExecutor()} and {@code newThreadPerTaskExecutor}).
 */
final class ThreadPerTaskExecutorInstrumentation implements TypeInstrumentation {

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return namedOneOf(
        "java.util.concurrent.CompletableFuture$ThreadPerTaskExecutor",
        "java.util.concurrent.ThreadPerTaskExecutor");
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(
        isPublic().and(named("execute")).and(takesArgument(0, Runnable.class)),
        WrapRunnableAdvice.class.getName());
    // submit(Runnable) and submit(Runnable, T) adapt the task and call submit(Callable).
    target.applyAdvice(
        isPublic().and(named("submit")).and(takesArgument(0, Callable.class)),
        WrapCallableAdvice.class.getName());
  }
}
