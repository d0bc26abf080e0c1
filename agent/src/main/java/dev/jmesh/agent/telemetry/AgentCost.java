package dev.jmesh.agent.telemetry;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.function.ToLongFunction;

/**
 * The agent's own cost, as gauges read at scrape time from the JVM's thread accounting: CPU time
 * and bytes allocated by the agent's live threads (named {@code jmesh-…}), and how many there are.
 * Work the agent does on application threads (hooks, bytecode advice) is not in these numbers.
 */
final class AgentCost {

  /**
   * The JVM's thread bean, looked up at the first scrape rather than at registration: the lookup
   * loads the platform's management classes (~90, ~40 ms on one core), which the application's
   * start-up would otherwise wait for.
   */
  private static final class Threads {
    static final ThreadMXBean BEAN = ManagementFactory.getThreadMXBean();
  }

  private AgentCost() {}

  /**
   * Registers the gauges. They hold {@code cost} strongly: nothing else refers to it, and Micrometer's
   * default weak reference would turn the gauges into NaN (left out of scrapes) after the next GC.
   */
  static void register(MeterRegistry registry) {
    AgentCost cost = new AgentCost();
    Gauge.builder("jmesh_agent_threads", cost, c -> c.sum(id -> 1))
        .description("live agent threads")
        .strongReference(true)
        .register(registry);
    Gauge.builder("jmesh_agent_threads_cpu_seconds", cost, c -> c.cpuNanos() / 1e9)
        .description("CPU time used by the live agent threads")
        .strongReference(true)
        .register(registry);
    Gauge.builder("jmesh_agent_threads_allocated_bytes", cost, AgentCost::allocatedBytes)
        .description("heap bytes allocated by the live agent threads")
        .strongReference(true)
        .register(registry);
  }

  private double cpuNanos() {
    ThreadMXBean threads = Threads.BEAN;
    if (!threads.isThreadCpuTimeSupported() || !threads.isThreadCpuTimeEnabled()) {
      return Double.NaN;
    }
    return sum(id -> Math.max(0, threads.getThreadCpuTime(id)));
  }

  private double allocatedBytes() {
    if (Threads.BEAN instanceof com.sun.management.ThreadMXBean sun
        && sun.isThreadAllocatedMemorySupported()
        && sun.isThreadAllocatedMemoryEnabled()) {
      return sum(id -> Math.max(0, sun.getThreadAllocatedBytes(id)));
    }
    return Double.NaN;
  }

  private double sum(ToLongFunction<Long> perThread) {
    ThreadMXBean threads = Threads.BEAN;
    long total = 0;
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds(), 0)) {
      if (info != null && info.getThreadName().startsWith("jmesh-")) {
        total += perThread.applyAsLong(info.getThreadId());
      }
    }
    return total;
  }
}
