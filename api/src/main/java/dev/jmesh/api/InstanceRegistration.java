package dev.jmesh.api;

import java.util.List;
import java.util.Map;

/**
 * {@code POST /v1/instances} (register) and {@code PUT /v1/instances/{id}} (heartbeat, with the
 * current ports). The service and namespace must match the caller's workload certificate.
 *
 * @param address the address other instances reach this one at (tests advertise 127.0.0.1)
 * @param ports the application ports the agent serves for this instance (inbound)
 * @param adminPort the agent's admin endpoint port, or null
 */
public record InstanceRegistration(
    String service,
    String namespace,
    Map<String, String> labels,
    String address,
    List<Integer> ports,
    Integer adminPort,
    String agentVersion) {}
