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
 * {@code ForkJoinPool.execute(Runnable)} and {@code submit(Runnable|Callable)}: work-stealing pools,
 * parallel streams' pool when given tasks, and {@code CompletableFuture.*Async} when the common
 * pool has more than one thread (on JDK 25 always); on JDK 25 also its {@code schedule…} methods
 * and {@code submitWithTimeout}. {@code ForkJoinTask}s forked inside the pool are not covered.
 */
final class ForkJoinPoolInstrumentation implements TypeInstrumentation {

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named("java.util.concurrent.ForkJoinPool");
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(
        isPublic()
            .and(
                namedOneOf(
                    "execute", "submit", "schedule", "scheduleAtFixedRate", "scheduleWithFixedDelay"))
            .and(takesArgument(0, Runnable.class)),
        WrapRunnableAdvice.class.getName());
    target.applyAdvice(
        isPublic()
            .and(namedOneOf("submit", "schedule", "submitWithTimeout"))
            .and(takesArgument(0, Callable.class)),
        WrapCallableAdvice.class.getName());
  }
}
