package dev.jmesh.control.stats;

import dev.jmesh.api.EdgeStats;

/** One edge as agents report it: who reported, from which workload, to which service, mTLS. */
public record EdgeKey(
    String reporter,
    String sourceWorkload,
    String sourceNamespace,
    String destinationService,
    String destinationNamespace,
    boolean mtls) {

  static EdgeKey of(EdgeStats stats) {
    return new EdgeKey(
        stats.reporter(),
        stats.sourceWorkload(),
        stats.sourceNamespace(),
        stats.destinationService(),
        stats.destinationNamespace(),
        stats.mtls());
  }
}
