package dev.jmesh.instrumentation.jdkexecutors;

import dev.jmesh.instrumentation.tooling.InstrumentationModule;
import dev.jmesh.instrumentation.tooling.TypeInstrumentation;
import java.util.List;
import java.util.Set;

/**
 * The JDK's executors: a task submitted while a request context is current runs with that context
 * on the worker thread, so the application's outbound calls made there carry the request's trace
 * headers. Tasks submitted with no context are left exactly as they are.
 */
public final class JdkExecutorsModule implements InstrumentationModule {

  @Override
  public String name() {
    return "jdk-executors";
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations() {
    return List.of(
        new ThreadPoolExecutorInstrumentation(),
        new ScheduledThreadPoolExecutorInstrumentation(),
        new ForkJoinPoolInstrumentation(),
        new ThreadPerTaskExecutorInstrumentation(),
        new DelayedExecutorInstrumentation());
  }

  @Override
  public Set<String> jdkModules() {
    return Set.of("java.base");
  }
}
