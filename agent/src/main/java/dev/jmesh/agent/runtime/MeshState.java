package dev.jmesh.agent.runtime;

import dev.jmesh.agent.control.SnapshotConsumer;
import dev.jmesh.agent.inbound.InboundPolicy;
import dev.jmesh.agent.inbound.PortDecision;
import dev.jmesh.agent.outbound.ServiceDirectory;
import dev.jmesh.api.MeshSnapshot;
import dev.jmesh.api.PolicyResource;
import dev.jmesh.api.ServiceInstance;
import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.policy.MtlsPolicy;
import dev.jmesh.policy.PeerAuthentication;
import dev.jmesh.policy.PolicyDocuments;
import dev.jmesh.policy.PolicyException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The latest good snapshot, compiled for this workload, and what the inbound and outbound sides ask
 * of it. A snapshot that does not compile is rejected as a whole; the last good one stays.
 */
public final class MeshState implements InboundPolicy, ServiceDirectory, SnapshotConsumer {

  static final String DEFAULT_TRUST_DOMAIN = "cluster.local";
  static final String DEFAULT_ROOT_NAMESPACE = "istio-system";

  private final String namespace;
  private final Map<String, String> labels;
  private final CompletableFuture<AppliedSnapshot> first = new CompletableFuture<>();
  private volatile AppliedSnapshot current;
  private volatile CompletableFuture<AppliedSnapshot> next = new CompletableFuture<>();

  public MeshState(String namespace, Map<String, String> labels) {
    this.namespace = namespace;
    this.labels = Map.copyOf(labels);
  }

  /** The snapshot in effect, or null before the first one. */
  public AppliedSnapshot current() {
    return current;
  }

  @Override
  public void apply(MeshSnapshot snapshot) throws PolicyException {
    String rootNamespace =
        snapshot.rootNamespace() == null ? DEFAULT_ROOT_NAMESPACE : snapshot.rootNamespace();
    List<PeerAuthentication> peerAuthentications = new ArrayList<>();
    List<PolicyResource> policies = snapshot.policies() == null ? List.of() : snapshot.policies();
    for (PolicyResource resource : policies) {
      if ("PeerAuthentication".equals(resource.kind())) {
        peerAuthentications.add(PolicyDocuments.peerAuthentication(resource));
      }
    }
    MtlsPolicy mtls = MtlsPolicy.compile(peerAuthentications, rootNamespace, namespace, labels);
    Map<String, List<ServiceInstance>> instances = new HashMap<>();
    if (snapshot.instances() != null) {
      for (ServiceInstance instance : snapshot.instances()) {
        instances
            .computeIfAbsent(
                AppliedSnapshot.key(instance.namespace(), instance.service()),
                k -> new ArrayList<>())
            .add(instance);
      }
    }
    AppliedSnapshot applied =
        new AppliedSnapshot(
            snapshot.version(),
            snapshot.trustDomain() == null ? DEFAULT_TRUST_DOMAIN : snapshot.trustDomain(),
            rootNamespace,
            mtls,
            Map.copyOf(instances),
            policies.size());
    AppliedSnapshot previous = current;
    current = applied;
    first.complete(applied);
    CompletableFuture<AppliedSnapshot> waiting = next;
    next = new CompletableFuture<>();
    waiting.complete(applied);
    if (previous == null || !previous.mtls().toString().equals(mtls.toString())) {
      AgentLog.debug("inbound mTLS policy: " + mtls);
    }
  }

  @Override
  public PortDecision decide(int port) {
    AppliedSnapshot s = current;
    return s == null
        ? null
        : new PortDecision(s.mtls().modeForPort(port), s.mtls().sourceForPort(port));
  }

  /**
   * No snapshot will come (the control server refused the join token): whatever waits for the
   * first one proceeds at once, with no policy, instead of waiting for the start-up deadline.
   */
  public void stopWaitingForFirstSnapshot() {
    first.completeExceptionally(
        new java.util.concurrent.CancellationException("the agent gave up joining the mesh"));
  }

  @Override
  public CompletableFuture<?> firstSnapshot() {
    return first;
  }

  @Override
  public CompletableFuture<?> nextSnapshot() {
    return next;
  }

  @Override
  public boolean hasSnapshot() {
    return current != null;
  }

  @Override
  public String trustDomain() {
    AppliedSnapshot s = current;
    return s == null ? DEFAULT_TRUST_DOMAIN : s.trustDomain();
  }

  @Override
  public boolean hasService(String namespace, String service) {
    return !instances(namespace, service).isEmpty();
  }

  @Override
  public List<ServiceInstance> instances(String namespace, String service) {
    AppliedSnapshot s = current;
    return s == null
        ? List.of()
        : s.instancesByService().getOrDefault(AppliedSnapshot.key(namespace, service), List.of());
  }
}
