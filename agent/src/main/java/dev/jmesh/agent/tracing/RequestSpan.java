package dev.jmesh.agent.tracing;

import dev.jmesh.agent.telemetry.MetricLabels;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import java.net.InetSocketAddress;

/**
 * The span of one HTTP request through the agent (SERVER inbound, CLIENT on egress), started when
 * the request was decoded and ended when its response completed or the connection closed under
 * it. The mesh attributes come at the end, from the connection's metric labels.
 */
public final class RequestSpan {

  static final AttributeKey<Long> STATUS_CODE = AttributeKey.longKey("http.response.status_code");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  static final AttributeKey<String> RESPONSE_FLAGS = AttributeKey.stringKey("response_flags");
  static final AttributeKey<String> PEER_ADDRESS = AttributeKey.stringKey("network.peer.address");
  static final AttributeKey<Long> PEER_PORT = AttributeKey.longKey("network.peer.port");
  static final AttributeKey<String> SOURCE_WORKLOAD =
      AttributeKey.stringKey("jmesh.source.workload");
  static final AttributeKey<String> SOURCE_NAMESPACE =
      AttributeKey.stringKey("jmesh.source.namespace");
  static final AttributeKey<String> SOURCE_PRINCIPAL =
      AttributeKey.stringKey("jmesh.source.principal");
  static final AttributeKey<String> DESTINATION_WORKLOAD =
      AttributeKey.stringKey("jmesh.destination.workload");
  static final AttributeKey<String> DESTINATION_NAMESPACE =
      AttributeKey.stringKey("jmesh.destination.namespace");
  static final AttributeKey<String> DESTINATION_PRINCIPAL =
      AttributeKey.stringKey("jmesh.destination.principal");
  static final AttributeKey<String> DESTINATION_SERVICE =
      AttributeKey.stringKey("jmesh.destination.service");
  static final AttributeKey<Boolean> MTLS = AttributeKey.booleanKey("jmesh.mtls");

  private final Span span;
  private final boolean client;
  private boolean ended;

  RequestSpan(Span span, boolean client) {
    this.span = span;
    this.client = client;
  }

  /**
   * Ends the span once.
   *
   * @param labels the connection's labels (who called whom), or null when it never got that far
   * @param peer the address the request went to (the instance on egress), or null
   * @param code the final response code; 0 when the connection closed before a response
   * @param responseFlags Envoy's flags ({@code -} for none, {@code UC}, {@code DC}, …)
   */
  public void end(
      MetricLabels labels, InetSocketAddress peer, int code, String responseFlags) {
    if (ended) {
      return;
    }
    ended = true;
    if (!span.isRecording()) {
      span.end();
      return;
    }
    if (code > 0) {
      span.setAttribute(STATUS_CODE, (long) code);
    }
    span.setAttribute(RESPONSE_FLAGS, responseFlags);
    if (labels != null) {
      span.setAttribute(SOURCE_WORKLOAD, labels.sourceWorkload());
      span.setAttribute(SOURCE_NAMESPACE, labels.sourceWorkloadNamespace());
      span.setAttribute(SOURCE_PRINCIPAL, labels.sourcePrincipal());
      span.setAttribute(DESTINATION_WORKLOAD, labels.destinationWorkload());
      span.setAttribute(DESTINATION_NAMESPACE, labels.destinationWorkloadNamespace());
      span.setAttribute(DESTINATION_PRINCIPAL, labels.destinationPrincipal());
      span.setAttribute(DESTINATION_SERVICE, labels.destinationService());
      // Egress always speaks mutual TLS to the instance; inbound says what the client used.
      span.setAttribute(
          MTLS, client || "mutual_tls".equals(labels.connectionSecurityPolicy()));
    }
    if (client && peer != null) {
      span.setAttribute(PEER_ADDRESS, peer.getHostString());
      if (peer.getPort() >= 0) {
        span.setAttribute(PEER_PORT, (long) peer.getPort());
      }
    }
    if (code == 0) {
      span.setAttribute(ERROR_TYPE, responseFlags);
      span.setStatus(
          StatusCode.ERROR, "the connection closed before the response (" + responseFlags + ")");
    } else if (code >= 500 || (client && code >= 400)) {
      span.setAttribute(ERROR_TYPE, String.valueOf(code));
      span.setStatus(StatusCode.ERROR);
    }
    span.end();
  }
}
