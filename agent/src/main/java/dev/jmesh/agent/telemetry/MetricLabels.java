package dev.jmesh.agent.telemetry;

import io.micrometer.core.instrument.Tag;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The labels Istio puts on every standard metric of one connection, in Istio's order, except
 * {@code response_code}, {@code grpc_response_status} and {@code response_flags}, which vary per
 * request. A missing value is {@code unknown}; a missing revision is {@code latest}.
 */
public record MetricLabels(
    String reporter,
    String sourceWorkload,
    String sourceCanonicalService,
    String sourceCanonicalRevision,
    String sourceWorkloadNamespace,
    String sourcePrincipal,
    String sourceApp,
    String sourceVersion,
    String sourceCluster,
    String destinationWorkload,
    String destinationWorkloadNamespace,
    String destinationPrincipal,
    String destinationApp,
    String destinationVersion,
    String destinationService,
    String destinationCanonicalService,
    String destinationCanonicalRevision,
    String destinationServiceName,
    String destinationServiceNamespace,
    String destinationCluster,
    String connectionSecurityPolicy) {

  public static final String UNKNOWN = "unknown";

  /** One side of a connection: a workload, its namespace, principal and labels. */
  public record Peer(String workload, String namespace, String principal, Map<String, String> labels) {
    public static final Peer UNKNOWN_PEER = new Peer(null, null, null, Map.of());

    String app() {
      return orUnknown(labels.get("app"));
    }

    String version() {
      return orUnknown(labels.get("version"));
    }

    /** First of service.istio.io/canonical-name, app.kubernetes.io/name, app, the workload. */
    String canonicalService() {
      for (String key : List.of("service.istio.io/canonical-name", "app.kubernetes.io/name", "app")) {
        if (labels.get(key) != null) {
          return labels.get(key);
        }
      }
      return orUnknown(workload);
    }

    /** First of service.istio.io/canonical-revision, app.kubernetes.io/version, version; latest. */
    String canonicalRevision() {
      for (String key :
          List.of("service.istio.io/canonical-revision", "app.kubernetes.io/version", "version")) {
        if (labels.get(key) != null) {
          return labels.get(key);
        }
      }
      return "latest";
    }
  }

  /**
   * @param reporter source or destination
   * @param destinationServiceFqdn {@code name.namespace.svc.<suffix>}, or null when unknown
   * @param security mutual_tls or none (destination side); always unknown on the source side
   */
  public static MetricLabels of(
      String reporter,
      Peer source,
      Peer destination,
      String destinationServiceName,
      String destinationServiceNamespace,
      String destinationServiceFqdn,
      String security) {
    return new MetricLabels(
        reporter,
        orUnknown(source.workload()),
        source.canonicalService(),
        source.canonicalRevision(),
        orUnknown(source.namespace()),
        orUnknown(source.principal()),
        source.app(),
        source.version(),
        UNKNOWN,
        orUnknown(destination.workload()),
        orUnknown(destination.namespace()),
        orUnknown(destination.principal()),
        destination.app(),
        destination.version(),
        orUnknown(destinationServiceFqdn),
        destination.canonicalService(),
        destination.canonicalRevision(),
        orUnknown(destinationServiceName),
        orUnknown(destinationServiceNamespace),
        UNKNOWN,
        orUnknown(security));
  }

  static String orUnknown(String value) {
    return value == null || value.isEmpty() ? UNKNOWN : value;
  }

  /** The labels as tags in Istio's order; the per-request ones are inserted where Istio has them. */
  List<Tag> tags(String protocol, String responseCode, String responseFlags) {
    List<Tag> tags = new ArrayList<>(25);
    tags.add(Tag.of("reporter", reporter));
    tags.add(Tag.of("source_workload", sourceWorkload));
    tags.add(Tag.of("source_canonical_service", sourceCanonicalService));
    tags.add(Tag.of("source_canonical_revision", sourceCanonicalRevision));
    tags.add(Tag.of("source_workload_namespace", sourceWorkloadNamespace));
    tags.add(Tag.of("source_principal", sourcePrincipal));
    tags.add(Tag.of("source_app", sourceApp));
    tags.add(Tag.of("source_version", sourceVersion));
    tags.add(Tag.of("source_cluster", sourceCluster));
    tags.add(Tag.of("destination_workload", destinationWorkload));
    tags.add(Tag.of("destination_workload_namespace", destinationWorkloadNamespace));
    tags.add(Tag.of("destination_principal", destinationPrincipal));
    tags.add(Tag.of("destination_app", destinationApp));
    tags.add(Tag.of("destination_version", destinationVersion));
    tags.add(Tag.of("destination_service", destinationService));
    tags.add(Tag.of("destination_canonical_service", destinationCanonicalService));
    tags.add(Tag.of("destination_canonical_revision", destinationCanonicalRevision));
    tags.add(Tag.of("destination_service_name", destinationServiceName));
    tags.add(Tag.of("destination_service_namespace", destinationServiceNamespace));
    tags.add(Tag.of("destination_cluster", destinationCluster));
    tags.add(Tag.of("request_protocol", protocol));
    if (responseCode != null) {
      tags.add(Tag.of("response_code", responseCode));
      tags.add(Tag.of("grpc_response_status", ""));
    }
    tags.add(Tag.of("response_flags", responseFlags));
    tags.add(Tag.of("connection_security_policy", connectionSecurityPolicy));
    return tags;
  }
}
