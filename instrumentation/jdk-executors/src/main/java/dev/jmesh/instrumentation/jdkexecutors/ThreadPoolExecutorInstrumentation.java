package dev.jmesh.instrumentation.jdkexecutors;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.jmesh.instrumentation.tooling.AdviceTarget;
import dev.jmesh.instrumentation.tooling.TypeInstrumentation;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code ThreadPoolExecutor.execute(Runnable)}, which {@code submit}, {@code invokeAll} and every
 * {@code Executors.newFixedThreadPool}/{@code newCachedThreadPool}/{@code newSingleThreadExecutor}
 * end in. A {@code FutureTask} from {@code submit} stays a {@code RunnableFuture}.
 */
final class ThreadPoolExecutorInstrumentation implements TypeInstrumentation {

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named("java.util.concurrent.ThreadPoolExecutor");
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(
        named("execute").and(takesArguments(1)).and(takesArgument(0, Runnable.class)),
        WrapRunnableAdvice.class.getName());
  }
}
