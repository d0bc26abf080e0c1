package dev.jmesh.bootstrap;

/**
 * A thread the agent owns. Hooks ignore everything such threads do, so the agent's own listeners,
 * connections and look-ups are never intercepted. Always a daemon: the agent never keeps a JVM alive.
 */
public final class AgentThread extends Thread {

  public AgentThread(Runnable task, String name) {
    super(null, task, name.startsWith("jmesh-") ? name : "jmesh-" + name);
    setDaemon(true);
  }

  public static boolean isCurrent() {
    return Thread.currentThread() instanceof AgentThread;
  }
}
