package dev.jmesh.agent.runtime;

import dev.jmesh.bootstrap.AgentThread;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Makes {@link AgentThread}s (daemon, ignored by the hooks) named {@code jmesh-<name>-<n>}. */
public final class AgentThreadFactory implements ThreadFactory {

  private final String name;
  private final AtomicInteger count = new AtomicInteger();

  public AgentThreadFactory(String name) {
    this.name = name;
  }

  /**
   * One agent thread, started when there is work and ended after a minute without: for senders that
   * run now and then (OTLP exports), so that their traffic is never taken for the application's.
   */
  public static ExecutorService onDemandThread(String name) {
    return new ThreadPoolExecutor(
        0, 1, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(), new AgentThreadFactory(name));
  }

  @Override
  public Thread newThread(Runnable task) {
    return new AgentThread(task, name + "-" + count.incrementAndGet());
  }
}
