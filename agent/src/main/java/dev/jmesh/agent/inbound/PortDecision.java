package dev.jmesh.agent.inbound;

import dev.jmesh.policy.MtlsMode;

/** The mTLS mode for one inbound port and which policy decided it (for config_dump and logs). */
public record PortDecision(MtlsMode mode, String source) {

  /** Istio's default with no policy, used when no snapshot has arrived by the startup deadline. */
  public static final PortDecision NO_SNAPSHOT =
      new PortDecision(MtlsMode.PERMISSIVE, "none (no snapshot from the control server yet)");
}
