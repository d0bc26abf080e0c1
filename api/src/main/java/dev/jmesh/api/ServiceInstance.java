package dev.jmesh.api;

import java.util.List;
import java.util.Map;

/** One live instance of a mesh service, as the registry pushes it to agents. */
public record ServiceInstance(
    String instanceId,
    String service,
    String namespace,
    String spiffeId,
    String address,
    List<Integer> ports,
    Map<String, String> labels) {}
