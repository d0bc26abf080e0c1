package dev.jmesh.agent.control;

import dev.jmesh.bootstrap.AgentLog;

/**
 * Logs problems with the control server as state changes: a problem once when it starts (or
 * changes), and one line when it is over. Retries in between stay quiet.
 */
final class ProblemLog {

  private String current;

  synchronized void problem(String kind, String message) {
    if (!kind.equals(current)) {
      current = kind;
      AgentLog.error(message, null);
    }
  }

  synchronized void resolved(String message) {
    if (current != null) {
      current = null;
      AgentLog.info(message);
    }
  }

  synchronized String current() {
    return current;
  }
}
