package dev.jmesh.agent.tracing;

import dev.jmesh.agent.http.RequestEdit;
import dev.jmesh.agent.runtime.AgentThreadFactory;
import dev.jmesh.bootstrap.AgentLog;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProviderBuilder;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The agent's OpenTelemetry SDK, configured from the standard {@code OTEL_*} variables and {@code
 * otel.*} properties (autoconfigure), with the agent's defaults: only traces are exported (no
 * metrics, whatever {@code otel.metrics.exporter} says: {@link MetricsPush} does that; {@code
 * otel.logs.exporter} defaults to {@code none}), OTLP over
 * {@code http/protobuf} unless {@code otel.exporter.otlp[.traces].protocol} says {@code grpc}, the
 * resource
 * names the workload, and the SDK's logs go to the agent's log. It starts a span per HTTP request
 * the agent relays and rewrites the request's propagation headers to that span.
 */
public final class Tracing {

  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
  private static final AttributeKey<String> SERVICE_NAMESPACE =
      AttributeKey.stringKey("service.namespace");
  private static final AttributeKey<String> SERVICE_VERSION =
      AttributeKey.stringKey("service.version");
  static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
  static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
  static final AttributeKey<String> URL_QUERY = AttributeKey.stringKey("url.query");
  static final AttributeKey<String> URL_SCHEME = AttributeKey.stringKey("url.scheme");
  static final AttributeKey<String> URL_FULL = AttributeKey.stringKey("url.full");
  static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  static final AttributeKey<String> CLIENT_ADDRESS = AttributeKey.stringKey("client.address");
  static final AttributeKey<String> PROTOCOL_VERSION =
      AttributeKey.stringKey("network.protocol.version");
  static final AttributeKey<String> USER_AGENT = AttributeKey.stringKey("user_agent.original");
  static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("guid:x-request-id");

  /** Who this workload is, for the resource. */
  public record Workload(String service, String namespace, String version) {}

  private final OpenTelemetrySdk sdk;
  private final Tracer tracer;
  private final TextMapPropagator propagator;
  private final SdkSelfMetrics self;
  private final AtomicLong exportFailures;

  private Tracing(OpenTelemetrySdk sdk, SdkSelfMetrics self, AtomicLong exportFailures) {
    this.sdk = sdk;
    this.tracer = sdk.getTracer("dev.jmesh.agent");
    this.propagator = sdk.getPropagators().getTextMapPropagator();
    this.self = self;
    this.exportFailures = exportFailures;
  }

  /**
   * Starts the SDK from the system's settings; call it only when {@link TracingSwitch} says tracing
   * is on.
   *
   * @return null when the configuration is unusable (logged)
   */
  public static Tracing start(Workload workload) {
    try {
      return create(workload, Map.of(), builder -> {});
    } catch (RuntimeException | LinkageError e) {
      AgentLog.error("cannot start tracing (check the OTEL_* settings); tracing is off", e);
      return null;
    }
  }

  /**
   * Builds the SDK from the system's {@code otel.*}/{@code OTEL_*} settings.
   *
   * @param overrides settings that win over the system's (tests)
   * @param tracerProvider a last change to the tracer provider (tests add an in-memory exporter)
   */
  public static Tracing create(
      Workload workload,
      Map<String, String> overrides,
      Consumer<SdkTracerProviderBuilder> tracerProvider) {
    OtelLogRouting.install();
    SdkSelfMetrics self = new SdkSelfMetrics();
    AtomicLong failures = new AtomicLong();
    OpenTelemetrySdk sdk =
        AutoConfiguredOpenTelemetrySdk.builder()
            .disableShutdownHook()
            .addPropertiesSupplier(
                () ->
                    Map.of(
                        "otel.logs.exporter", "none",
                        "otel.exporter.otlp.protocol", "http/protobuf"))
            .addPropertiesCustomizer(config -> withoutMetricsExporter(overrides))
            .addResourceCustomizer((resource, config) -> withWorkload(resource, workload))
            .addSpanExporterCustomizer(
                (exporter, config) -> new CountingSpanExporter(onAgentThreads(exporter), failures))
            .addMeterProviderCustomizer((builder, config) -> builder.registerMetricReader(self))
            .addTracerProviderCustomizer(
                (builder, config) -> {
                  tracerProvider.accept(builder);
                  return builder;
                })
            .build()
            .getOpenTelemetrySdk();
    return new Tracing(sdk, self, failures);
  }

  /**
   * This SDK exports no metrics even when {@code otel.metrics.exporter} is set: {@link MetricsPush}
   * pushes the agent's meters (which include what this SDK reports about itself) with its own.
   */
  private static Map<String, String> withoutMetricsExporter(Map<String, String> overrides) {
    Map<String, String> settings = new HashMap<>(overrides);
    settings.put("otel.metrics.exporter", "none");
    return settings;
  }

  /**
   * OTLP/http sends from the exporter's own executor; give it agent threads, which the hooks
   * ignore, so that the agent's export traffic is never taken for the application's. (The gRPC
   * sender runs on agent threads already.)
   */
  private static SpanExporter onAgentThreads(SpanExporter exporter) {
    if (!(exporter instanceof OtlpHttpSpanExporter http)) {
      return exporter;
    }
    SpanExporter rebuilt =
        http.toBuilder()
            .setExecutorService(AgentThreadFactory.onDemandThread("otlp-http"))
            .build();
    http.shutdown();
    return rebuilt;
  }

  static Resource withWorkload(Resource resource, Workload workload) {
    AttributesBuilder ours = Attributes.builder();
    String name = resource.getAttribute(SERVICE_NAME);
    if (name == null || name.startsWith("unknown_service")) {
      ours.put(SERVICE_NAME, workload.service());
    }
    if (resource.getAttribute(SERVICE_NAMESPACE) == null && workload.namespace() != null) {
      ours.put(SERVICE_NAMESPACE, workload.namespace());
    }
    if (resource.getAttribute(SERVICE_VERSION) == null && workload.version() != null) {
      ours.put(SERVICE_VERSION, workload.version());
    }
    return resource.merge(Resource.create(ours.build()));
  }

  /**
   * The inbound edit: for every request a SERVER span, child of what the client's propagation
   * headers carry, and those headers rewritten to the span before the request goes to the
   * application; {@code x-request-id} kept or created.
   */
  public RequestEdit serverSpans(RequestSpans spans, SocketAddress client, int listenerPort) {
    String clientAddress =
        client instanceof InetSocketAddress inet ? inet.getAddress().getHostAddress() : null;
    return request -> {
      String requestId = RequestIds.ensure(request);
      HttpHeaders headers = request.headers();
      Context parent = propagator.extract(Context.root(), headers, NettyHeaders.INSTANCE);
      String uri = request.uri();
      int query = uri.indexOf('?');
      SpanBuilder span =
          tracer
              .spanBuilder(request.method().name())
              .setSpanKind(SpanKind.SERVER)
              .setParent(parent)
              .setAttribute(METHOD, request.method().name())
              .setAttribute(URL_PATH, query < 0 ? uri : uri.substring(0, query))
              .setAttribute(URL_SCHEME, "http")
              .setAttribute(PROTOCOL_VERSION, version(request))
              .setAttribute(REQUEST_ID, requestId);
      if (query >= 0) {
        span.setAttribute(URL_QUERY, uri.substring(query + 1));
      }
      HostPort host = HostPort.parse(headers.get(HttpHeaderNames.HOST));
      if (host != null) {
        span.setAttribute(SERVER_ADDRESS, host.host());
      }
      long port = host != null && host.port() > 0 ? host.port() : listenerPort;
      span.setAttribute(SERVER_PORT, port);
      if (clientAddress != null) {
        span.setAttribute(CLIENT_ADDRESS, clientAddress);
      }
      userAgent(span, headers);
      spans.add(start(span, parent, headers, false));
    };
  }

  /**
   * The egress edit: for every request the application sends a CLIENT span, child of what the
   * application's propagation headers carry (a new trace without them), and those headers
   * rewritten to the span before the request goes upstream; {@code x-request-id} kept or created.
   *
   * @param service the logical service the application called, when the request has no Host
   */
  public RequestEdit clientSpans(RequestSpans spans, String service, int port) {
    return request -> {
      String requestId = RequestIds.ensure(request);
      HttpHeaders headers = request.headers();
      Context parent = propagator.extract(Context.root(), headers, NettyHeaders.INSTANCE);
      HostPort host = HostPort.parse(headers.get(HttpHeaderNames.HOST));
      String address = host == null ? service : host.host();
      int serverPort = host != null && host.port() > 0 ? host.port() : port;
      String uri = request.uri();
      String authority = host == null ? service + ":" + port : headers.get(HttpHeaderNames.HOST);
      String full =
          uri.startsWith("http://") || uri.startsWith("https://")
              ? uri
              : "http://" + authority + uri;
      SpanBuilder span =
          tracer
              .spanBuilder(request.method().name())
              .setSpanKind(SpanKind.CLIENT)
              .setParent(parent)
              .setAttribute(METHOD, request.method().name())
              .setAttribute(URL_FULL, full)
              .setAttribute(SERVER_ADDRESS, address)
              .setAttribute(SERVER_PORT, (long) serverPort)
              .setAttribute(PROTOCOL_VERSION, version(request))
              .setAttribute(REQUEST_ID, requestId);
      userAgent(span, headers);
      spans.add(start(span, parent, headers, true));
    };
  }

  private RequestSpan start(
      SpanBuilder builder, Context parent, HttpHeaders headers, boolean client) {
    Span span = builder.startSpan();
    for (String field : propagator.fields()) {
      headers.remove(field);
    }
    propagator.inject(parent.with(span), headers, NettyHeaders.INSTANCE);
    return new RequestSpan(span, client);
  }

  private static String version(HttpRequest request) {
    HttpVersion version = request.protocolVersion();
    if (version == HttpVersion.HTTP_1_1) {
      return "1.1"; // what nearly every request is: no string built per request
    }
    return version.majorVersion() + "." + version.minorVersion();
  }

  private static void userAgent(SpanBuilder span, HttpHeaders headers) {
    String agent = headers.get(HttpHeaderNames.USER_AGENT);
    if (agent != null) {
      span.setAttribute(USER_AGENT, agent);
    }
  }

  /**
   * Adds {@code jmesh_agent_spans_dropped_total} (spans the full export queue turned away) and
   * {@code jmesh_agent_span_exports_failed_total} (exports that failed or timed out).
   */
  public void registerMeters(MeterRegistry registry) {
    FunctionCounter.builder("jmesh_agent_spans_dropped", self, SdkSelfMetrics::droppedSpans)
        .description("spans dropped because the export queue was full")
        .register(registry);
    FunctionCounter.builder("jmesh_agent_span_exports_failed", exportFailures, AtomicLong::get)
        .description("span exports (batches) that failed or timed out")
        .register(registry);
  }

  /** Exports what is queued (waiting at most a few seconds) and stops the SDK. */
  public void shutdown() {
    sdk.shutdown().join(3, TimeUnit.SECONDS);
  }

  /** A Host header's host and port (-1 when absent). */
  record HostPort(String host, int port) {
    static HostPort parse(String value) {
      if (value == null || value.isBlank()) {
        return null;
      }
      String v = value.trim();
      int colon = v.lastIndexOf(':');
      int bracket = v.lastIndexOf(']');
      if (colon < 0 || colon < bracket) {
        return new HostPort(v, -1);
      }
      try {
        return new HostPort(v.substring(0, colon), Integer.parseInt(v.substring(colon + 1)));
      } catch (NumberFormatException e) {
        return new HostPort(v, -1);
      }
    }
  }
}
