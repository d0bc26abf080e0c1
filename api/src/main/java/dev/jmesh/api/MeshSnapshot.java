package dev.jmesh.api;

import java.util.List;

/**
 * {@code GET /v1/snapshot?instance=<id>&version=<known>&waitSeconds=<n>}: everything an agent needs,
 * identified by {@code version}. The server answers at once when its version differs from the
 * agent's, otherwise holds the request up to {@code waitSeconds} and then answers 304.
 *
 * @param policies the policies that can apply to the agent: its own namespace and the root namespace
 * @param instances the live instances of the mesh's services
 */
public record MeshSnapshot(
    long version,
    String trustDomain,
    String rootNamespace,
    List<PolicyResource> policies,
    List<ServiceInstance> instances) {}
