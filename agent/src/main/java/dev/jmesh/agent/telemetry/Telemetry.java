package dev.jmesh.agent.telemetry;

import dev.jmesh.agent.outbound.ServiceDirectory;
import dev.jmesh.agent.tracing.Tracing;
import dev.jmesh.api.ServiceInstance;
import dev.jmesh.api.SpiffeId;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the agent knows to label its metrics and access-log lines: this workload's name, namespace,
 * labels and principal, and (from the registry snapshot) other workloads' labels.
 */
public final class Telemetry {

  private final IstioMetrics metrics;
  private final AccessLog accessLog;
  private final String service;
  private final String namespace;
  private final Map<String, String> labels;
  private final Supplier<String> localPrincipal;
  private final ServiceDirectory directory;
  private final Tracing tracing;

  /**
   * @param localPrincipal this workload's SPIFFE ID once it has a certificate, else null
   */
  public Telemetry(
      IstioMetrics metrics,
      AccessLog accessLog,
      String service,
      String namespace,
      Map<String, String> labels,
      Supplier<String> localPrincipal,
      ServiceDirectory directory) {
    this(metrics, accessLog, service, namespace, labels, localPrincipal, directory, null);
  }

  private Telemetry(
      IstioMetrics metrics,
      AccessLog accessLog,
      String service,
      String namespace,
      Map<String, String> labels,
      Supplier<String> localPrincipal,
      ServiceDirectory directory,
      Tracing tracing) {
    this.tracing = tracing;
    this.metrics = metrics;
    this.accessLog = accessLog;
    this.service = service;
    this.namespace = namespace;
    this.labels = Map.copyOf(labels);
    this.localPrincipal = localPrincipal;
    this.directory = directory;
  }

  public IstioMetrics metrics() {
    return metrics;
  }

  public AccessLog accessLog() {
    return accessLog;
  }

  /** The same, with a span per HTTP request; {@code tracing} null for none. */
  public Telemetry withTracing(Tracing tracing) {
    return new Telemetry(
        metrics, accessLog, service, namespace, labels, localPrincipal, directory, tracing);
  }

  /** Spans for HTTP requests, or null when tracing is off. */
  public Tracing tracing() {
    return tracing;
  }

  private MetricLabels.Peer self() {
    return new MetricLabels.Peer(service, namespace, localPrincipal.get(), labels);
  }

  private String fqdn(String name, String ns) {
    return name + "." + ns + ".svc." + directory.trustDomain();
  }

  /**
   * Labels of a connection this workload accepted (reporter destination).
   *
   * @param peer the client's SPIFFE ID, or null for plaintext
   */
  public MetricLabels inbound(SpiffeId peer) {
    MetricLabels.Peer source = MetricLabels.Peer.UNKNOWN_PEER;
    if (peer != null) {
      source =
          new MetricLabels.Peer(
              peer.service(),
              peer.namespace(),
              peer.toString(),
              labelsOf(directory.instances(peer.namespace(), peer.service())));
    }
    return MetricLabels.of(
        "destination",
        source,
        self(),
        service,
        namespace,
        fqdn(service, namespace),
        peer == null ? "none" : "mutual_tls");
  }

  /**
   * Labels of a connection this workload opened to a mesh service (reporter source).
   *
   * @param instance the instance connected to, or null when none was reached
   * @param principal the identity the instance presented, or null
   */
  public MetricLabels outbound(
      String destService, String destNamespace, ServiceInstance instance, String principal) {
    Map<String, String> destLabels = instance == null ? Map.of() : instance.labels();
    MetricLabels.Peer destination =
        new MetricLabels.Peer(
            destService, destNamespace, principal, destLabels == null ? Map.of() : destLabels);
    return MetricLabels.of(
        "source",
        self(),
        destination,
        destService,
        destNamespace,
        fqdn(destService, destNamespace),
        "unknown");
  }

  private static Map<String, String> labelsOf(List<ServiceInstance> instances) {
    if (instances == null || instances.isEmpty() || instances.get(0).labels() == null) {
      return Map.of();
    }
    return instances.get(0).labels();
  }
}
