package dev.jmesh.agent.outbound;

/** A mesh service, named by its namespace and service name. */
public record ServiceName(String service, String namespace) {

  /** {@code orders.shop.svc.cluster.local}. */
  public String fqdn(String dnsSuffix) {
    return service + "." + namespace + ".svc." + dnsSuffix;
  }

  /** The identity the service's instances must present. */
  public String spiffeId(String trustDomain) {
    return "spiffe://" + trustDomain + "/ns/" + namespace + "/sa/" + service;
  }

  @Override
  public String toString() {
    return namespace + "/" + service;
  }
}
