package dev.jmesh.agent.runtime;

import dev.jmesh.api.ServiceInstance;
import dev.jmesh.policy.MtlsPolicy;
import java.util.List;
import java.util.Map;

/**
 * A snapshot compiled for this workload: its mTLS policy and the mesh's live instances by {@code
 * namespace/service}.
 */
public record AppliedSnapshot(
    long version,
    String trustDomain,
    String rootNamespace,
    MtlsPolicy mtls,
    Map<String, List<ServiceInstance>> instancesByService,
    int policyCount) {

  static String key(String namespace, String service) {
    return namespace + "/" + service;
  }
}
