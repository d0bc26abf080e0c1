package dev.jmesh.agent.runtime;

/** The agent's version, from the jar manifest when packaged. */
public final class AgentVersion {

  public static final String VERSION = version();

  private AgentVersion() {}

  private static String version() {
    Package p = AgentVersion.class.getPackage();
    String v = p == null ? null : p.getImplementationVersion();
    return v != null ? v : "0.1.0-SNAPSHOT";
  }
}
