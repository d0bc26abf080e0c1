package dev.jmesh.instrumentation.jdkexecutors;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.jmesh.instrumentation.tooling.AdviceTarget;
import dev.jmesh.instrumentation.tooling.TypeInstrumentation;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code CompletableFuture.delayedExecutor(…).execute(Runnable)}: on JDK 25 the delay is kept by the
 * common pool's internal scheduler, which no public method reaches, so the task is wrapped where
 * it is handed in (on JDK 17 the delay goes through a {@code ScheduledThreadPoolExecutor}, covered
 * anyway).
 */
final class DelayedExecutorInstrumentation implements TypeInstrumentation {

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named("java.util.concurrent.CompletableFuture$DelayedExecutor");
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(
        named("execute").and(takesArguments(1)).and(takesArgument(0, Runnable.class)),
        WrapRunnableAdvice.class.getName());
  }
}
