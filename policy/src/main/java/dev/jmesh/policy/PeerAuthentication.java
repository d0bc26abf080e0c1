package dev.jmesh.policy;

import java.util.Map;
import java.util.Objects;

/**
 * A typed Istio {@code PeerAuthentication} (security.istio.io/v1 and v1beta1).
 *
 * @param selector the selector's {@code matchLabels}; {@code null} when there is no selector. An
 *     empty map (a selector without labels) is namespace-wide, as in Istio.
 * @param createdIndex store order of creation; within one scope the oldest policy wins
 * @param mode {@code spec.mtls.mode}; {@link MtlsMode#UNSET} when absent
 * @param portLevelMtls per-port modes by port number; empty when absent
 */
public record PeerAuthentication(
    String namespace,
    String name,
    long createdIndex,
    Map<String, String> selector,
    MtlsMode mode,
    Map<Integer, MtlsMode> portLevelMtls) {

  public PeerAuthentication {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    selector = selector == null ? null : Map.copyOf(selector);
    mode = mode == null ? MtlsMode.UNSET : mode;
    portLevelMtls = portLevelMtls == null ? Map.of() : Map.copyOf(portLevelMtls);
  }
}
