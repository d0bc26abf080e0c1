package dev.jmesh.instrumentation.jdkexecutors;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.namedOneOf;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;

import dev.jmesh.instrumentation.tooling.AdviceTarget;
import dev.jmesh.instrumentation.tooling.TypeInstrumentation;
import java.util.concurrent.Callable;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code ScheduledThreadPoolExecutor.schedule(Runnable|Callable, …)},
 * {@code scheduleAtFixedRate} and {@code scheduleWithFixedDelay} (its {@code execute} and
 * {@code submit} end in {@code schedule}). A periodic task runs every time with the context it was
 * scheduled under.
 */
final class ScheduledThreadPoolExecutorInstrumentation implements TypeInstrumentation {

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named("java.util.concurrent.ScheduledThreadPoolExecutor");
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(
        namedOneOf("schedule", "scheduleAtFixedRate", "scheduleWithFixedDelay")
            .and(takesArgument(0, Runnable.class)),
        WrapRunnableAdvice.class.getName());
    target.applyAdvice(
        named("schedule").and(takesArgument(0, Callable.class)),
        WrapCallableAdvice.class.getName());
  }
}
