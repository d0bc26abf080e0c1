package dev.jmesh.agent.runtime;

import dev.jmesh.bootstrap.AgentThread;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Makes {@link AgentThread}s (daemon, ignored by the hooks) named {@code jmesh-<name>-<n>}. */
public final class AgentThreadFactory implements ThreadFactory {

  private final String name;
  private final AtomicInteger count = new AtomicInteger();

  public AgentThreadFactory(String name) {
    this.name = name;
  }

  @Override
  public Thread newThread(Runnable task) {
    return new AgentThread(task, name + "-" + count.incrementAndGet());
  }
}
