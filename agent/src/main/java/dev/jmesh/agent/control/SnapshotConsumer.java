package dev.jmesh.agent.control;

import dev.jmesh.api.MeshSnapshot;

/** Applies a snapshot from the control server. */
@FunctionalInterface
public interface SnapshotConsumer {

  /**
   * Applies {@code snapshot}, or throws to reject it (the message becomes the NACK's error and the
   * last good snapshot stays in effect).
   */
  void apply(MeshSnapshot snapshot) throws Exception;
}
