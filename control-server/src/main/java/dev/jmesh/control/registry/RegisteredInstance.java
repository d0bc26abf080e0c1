package dev.jmesh.control.registry;

import dev.jmesh.api.ServiceInstance;
import dev.jmesh.api.SpiffeId;

/**
 * One live instance as the registry tracks it: what it pushes to agents ({@link #instance()}) and
 * what operators see about its health and sync state.
 *
 * @param ackedVersion the last snapshot version the agent applied, or null
 * @param nackError why the agent rejected its last snapshot, or null when the last answer was an
 *     ACK
 */
public record RegisteredInstance(
    ServiceInstance instance,
    SpiffeId identity,
    Integer adminPort,
    String agentVersion,
    long registeredAtEpochMillis,
    long lastHeartbeatEpochMillis,
    Long ackedVersion,
    String nackError,
    long certificateNotAfterEpochMillis) {

  public String instanceId() {
    return instance.instanceId();
  }
}
