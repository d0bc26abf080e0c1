package dev.jmesh.policy;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The effective PeerAuthentication mode of one workload, per inbound port, compiled once per
 * snapshot with Istio's precedence ({@code pilot/pkg/security/authn/policy_applier.go}
 * ComposePeerAuthentication):
 *
 * <ul>
 *   <li>workload (a selector with labels matching the workload, in the workload's namespace) beats
 *       namespace-wide (no selector or an empty one, in the workload's namespace), which beats
 *       mesh-wide (no selector or an empty one, in the root namespace); selector policies in the
 *       root namespace are ignored;
 *   <li>within one scope the oldest policy wins (lowest createdIndex, then name);
 *   <li>{@code UNSET} inherits from the parent scope; with no policy at all the mode is PERMISSIVE;
 *   <li>the workload policy's {@code portLevelMtls} overrides its port, and {@code UNSET} there
 *       means the workload-level result.
 * </ul>
 */
public final class MtlsPolicy {

  /** What was decided and which policy decided it. */
  private record Decision(MtlsMode mode, String source) {}

  private static final Decision NO_POLICY = new Decision(MtlsMode.PERMISSIVE, "none");

  /** Istio's order within a scope: oldest first, then by name (sortConfigByCreationTime). */
  private static final Comparator<PeerAuthentication> OLDEST_FIRST =
      Comparator.comparingLong(PeerAuthentication::createdIndex)
          .thenComparing(PeerAuthentication::name)
          .thenComparing(PeerAuthentication::namespace);

  private final Decision workloadDecision;
  private final Map<Integer, Decision> portDecisions;

  private MtlsPolicy(Decision workloadDecision, Map<Integer, Decision> portDecisions) {
    this.workloadDecision = workloadDecision;
    this.portDecisions = Map.copyOf(portDecisions);
  }

  /**
   * Compiles the policies that apply to one workload.
   *
   * @param policies any PeerAuthentications; those of other namespaces and those whose selector
   *     does not match the workload are ignored
   * @param rootNamespace Istio's root namespace (normally {@code istio-system})
   */
  public static MtlsPolicy compile(
      List<PeerAuthentication> policies,
      String rootNamespace,
      String workloadNamespace,
      Map<String, String> workloadLabels) {
    Objects.requireNonNull(rootNamespace, "rootNamespace");
    Objects.requireNonNull(workloadNamespace, "workloadNamespace");
    Map<String, String> labels = workloadLabels == null ? Map.of() : workloadLabels;

    PeerAuthentication mesh = null;
    PeerAuthentication namespace = null;
    PeerAuthentication workload = null;
    for (PeerAuthentication policy : policies) {
      boolean namespaceWide = policy.selector() == null || policy.selector().isEmpty();
      if (namespaceWide && policy.namespace().equals(rootNamespace)) {
        mesh = older(mesh, policy);
      } else if (namespaceWide && policy.namespace().equals(workloadNamespace)) {
        namespace = older(namespace, policy);
      } else if (!namespaceWide
          && policy.namespace().equals(workloadNamespace)
          && !policy.namespace().equals(rootNamespace)
          && labels.entrySet().containsAll(policy.selector().entrySet())) {
        workload = older(workload, policy);
      }
    }

    Decision decision = NO_POLICY;
    for (PeerAuthentication policy : new PeerAuthentication[] {mesh, namespace, workload}) {
      if (policy != null && policy.mode() != MtlsMode.UNSET) {
        decision = new Decision(policy.mode(), source(policy));
      }
    }
    Map<Integer, Decision> portDecisions = new LinkedHashMap<>();
    if (workload != null) {
      for (Map.Entry<Integer, MtlsMode> port : workload.portLevelMtls().entrySet()) {
        portDecisions.put(
            port.getKey(),
            port.getValue() == MtlsMode.UNSET
                ? decision
                : new Decision(port.getValue(), source(workload)));
      }
    }
    return new MtlsPolicy(decision, portDecisions);
  }

  /** The effective mode for an application port: never UNSET (no policy at all = PERMISSIVE). */
  public MtlsMode modeForPort(int port) {
    return portDecisions.getOrDefault(port, workloadDecision).mode();
  }

  /**
   * Which policy decided the port's mode, for config_dump and logs: {@code namespace/name}, or
   * {@code none} when no policy set a mode.
   */
  public String sourceForPort(int port) {
    return portDecisions.getOrDefault(port, workloadDecision).source();
  }

  @Override
  public String toString() {
    StringBuilder text =
        new StringBuilder("MtlsPolicy{")
            .append(workloadDecision.mode())
            .append(" from ")
            .append(workloadDecision.source());
    portDecisions.forEach(
        (port, decision) ->
            text.append(", port ")
                .append(port)
                .append(": ")
                .append(decision.mode())
                .append(" from ")
                .append(decision.source()));
    return text.append('}').toString();
  }

  private static PeerAuthentication older(PeerAuthentication current, PeerAuthentication other) {
    return current == null || OLDEST_FIRST.compare(other, current) < 0 ? other : current;
  }

  private static String source(PeerAuthentication policy) {
    return policy.namespace() + "/" + policy.name();
  }
}
