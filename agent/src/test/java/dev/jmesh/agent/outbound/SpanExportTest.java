package dev.jmesh.agent.outbound;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.jmesh.agent.identity.CertificateSigningRequests;
import dev.jmesh.agent.runtime.CapturedStderr;
import dev.jmesh.agent.runtime.Poll;
import dev.jmesh.agent.telemetry.IstioMetrics;
import dev.jmesh.agent.tls.TestClients;
import dev.jmesh.agent.tls.TestPki;
import dev.jmesh.agent.tracing.Tracing;
import dev.jmesh.testing.PrometheusText;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Spans leave the agent over OTLP as the standard variables say (http/protobuf to a plain HTTP
 * receiver, grpc to a grpc-java server), and a collector that is down or never answers costs the
 * application nothing: its requests complete while the agent counts failed exports and dropped
 * spans on its own metrics.
 */
class SpanExportTest {

  /** A span as the collector received it, with the service.name of its resource. */
  private record Received(String service, Span span) {}

  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final List<AutoCloseable> closing = new ArrayList<>();
  private TracedMesh mesh;

  @AfterEach
  void tearDown() throws Exception {
    if (mesh != null) {
      mesh.close();
    }
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  /** Collector calls still to answer UNAVAILABLE before accepting. */
  private final AtomicInteger unavailableFirst = new AtomicInteger();

  /** OTLP's TraceService/Export, without generated stubs. */
  private ServerServiceDefinition traceService() {
    MethodDescriptor<ExportTraceServiceRequest, ExportTraceServiceResponse> export =
        MethodDescriptor.<ExportTraceServiceRequest, ExportTraceServiceResponse>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("opentelemetry.proto.collector.trace.v1.TraceService/Export")
            .setRequestMarshaller(ProtoUtils.marshaller(ExportTraceServiceRequest.getDefaultInstance()))
            .setResponseMarshaller(
                ProtoUtils.marshaller(ExportTraceServiceResponse.getDefaultInstance()))
            .build();
    return ServerServiceDefinition.builder("opentelemetry.proto.collector.trace.v1.TraceService")
        .addMethod(
            export,
            ServerCalls.asyncUnaryCall(
                (request, response) -> {
                  if (unavailableFirst.getAndDecrement() > 0) {
                    response.onError(Status.UNAVAILABLE.asRuntimeException());
                    return;
                  }
                  collect(request);
                  response.onNext(ExportTraceServiceResponse.getDefaultInstance());
                  response.onCompleted();
                }))
        .build();
  }

  private void collect(ExportTraceServiceRequest request) {
    for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
      String service = attribute(resourceSpans.getResource(), "service.name");
      for (ScopeSpans scope : resourceSpans.getScopeSpansList()) {
        for (Span span : scope.getSpansList()) {
          received.add(new Received(service, span));
        }
      }
    }
  }

  private static String attribute(Resource resource, String key) {
    for (KeyValue kv : resource.getAttributesList()) {
      if (kv.getKey().equals(key)) {
        return kv.getValue().getStringValue();
      }
    }
    return null;
  }

  /** Both agents export to the same collector, each with its own SDK. */
  private void meshExportingTo(Map<String, String> otlp) throws IOException {
    Map<String, String> settings = new HashMap<>(otlp);
    settings.putIfAbsent("otel.bsp.schedule.delay", "20ms");
    Tracing web = Tracing.create(new Tracing.Workload("web", "default", null), settings, b -> {});
    Tracing orders =
        Tracing.create(new Tracing.Workload("orders", "default", "v1"), settings, b -> {});
    closing.add(web::shutdown);
    closing.add(orders::shutdown);
    mesh = new TracedMesh(web, orders, null);
    web.registerMeters(mesh.clientMetrics.registry());
    orders.registerMeters(mesh.serverMetrics.registry());
  }

  private void callThroughTheMesh(int requests) throws IOException {
    try (Socket socket = TestClients.plain(mesh.egress())) {
      for (int i = 0; i < requests; i++) {
        String response = TracedMesh.exchange(socket, "GET", "/export/" + i);
        assertTrue(response.startsWith("HTTP/1.1 200"), response);
      }
    }
  }

  private void assertOneHopArrived() {
    Poll.until(() -> received.size() >= 2, Duration.ofSeconds(10), "two spans at the collector");
    Received client =
        received.stream().filter(r -> r.span().getKind() == Span.SpanKind.SPAN_KIND_CLIENT).findFirst().orElseThrow();
    Received server =
        received.stream().filter(r -> r.span().getKind() == Span.SpanKind.SPAN_KIND_SERVER).findFirst().orElseThrow();
    assertEquals("web", client.service());
    assertEquals("orders", server.service());
    assertEquals("GET", client.span().getName());
    assertEquals(client.span().getTraceId(), server.span().getTraceId());
    assertEquals(client.span().getSpanId(), server.span().getParentSpanId());
  }

  @Test
  void httpProtobufIsTheDefaultAndReachesTheCollector() throws Exception {
    HttpServer collector =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    collector.createContext(
        "/v1/traces",
        exchange -> {
          try (InputStream in = exchange.getRequestBody()) {
            collect(ExportTraceServiceRequest.parseFrom(in.readAllBytes()));
          }
          byte[] ok = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
          exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
          exchange.sendResponseHeaders(200, ok.length);
          exchange.getResponseBody().write(ok);
          exchange.close();
        });
    collector.start();
    closing.add(() -> collector.stop(0));
    meshExportingTo(
        Map.of("otel.exporter.otlp.endpoint", "http://127.0.0.1:" + collector.getAddress().getPort()));
    callThroughTheMesh(1);
    assertOneHopArrived();
  }

  @Test
  void grpcReachesAGrpcJavaCollector() throws Exception {
    Server collector =
        NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .addService(traceService())
            .build()
            .start();
    closing.add(() -> collector.shutdownNow());
    meshExportingTo(
        Map.of(
            "otel.exporter.otlp.endpoint", "http://127.0.0.1:" + collector.getPort(),
            "otel.exporter.otlp.protocol", "grpc"));
    callThroughTheMesh(1);
    assertOneHopArrived();
  }

  @Test
  void grpcRetriesAnUnavailableCollector() throws Exception {
    unavailableFirst.set(1);
    Server collector =
        NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .addService(traceService())
            .build()
            .start();
    closing.add(() -> collector.shutdownNow());
    meshExportingTo(
        Map.of(
            "otel.exporter.otlp.endpoint", "http://127.0.0.1:" + collector.getPort(),
            "otel.exporter.otlp.protocol", "grpc",
            "otel.bsp.max.export.batch.size", "1"));
    callThroughTheMesh(1);
    assertOneHopArrived();
    assertTrue(unavailableFirst.get() < 0, "the collector turned an export away first");
    assertEquals(
        0.0,
        new PrometheusText(mesh.clientMetrics.scrape())
                .sum("jmesh_agent_span_exports_failed_total", Map.of())
            + new PrometheusText(mesh.serverMetrics.scrape())
                .sum("jmesh_agent_span_exports_failed_total", Map.of()));
  }

  @Test
  void grpcOverTlsReachesACollectorWhoseCertificateNamesTheEndpoint() throws Exception {
    Path ca = tlsCollector(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
    meshExportingTo(
        Map.of(
            "otel.exporter.otlp.endpoint", "https://127.0.0.1:" + grpcPort,
            "otel.exporter.otlp.protocol", "grpc",
            "otel.exporter.otlp.certificate", ca.toString()));
    callThroughTheMesh(1);
    assertOneHopArrived();
  }

  @Test
  void grpcOverTlsRefusesACollectorWhoseCertificateNamesAnotherHost() throws Exception {
    Path ca = tlsCollector(new GeneralName(GeneralName.dNSName, "collector.example"));
    meshExportingTo(
        Map.of(
            "otel.exporter.otlp.endpoint", "https://127.0.0.1:" + grpcPort,
            "otel.exporter.otlp.protocol", "grpc",
            "otel.exporter.otlp.certificate", ca.toString()));
    try (CapturedStderr stderr = new CapturedStderr()) {
      callThroughTheMesh(1);
      awaitCounter(mesh.clientMetrics, "jmesh_agent_span_exports_failed_total");
    }
    assertEquals(0, received.size());
  }

  private int grpcPort;

  /** A grpc-java collector over TLS with a certificate for {@code name}; returns the CA's PEM. */
  private Path tlsCollector(GeneralName name) throws Exception {
    TestPki pki = new TestPki();
    KeyPair key = CertificateSigningRequests.newKeyPair();
    Instant now = Instant.now();
    X509v3CertificateBuilder builder =
        new JcaX509v3CertificateBuilder(
            X500Name.getInstance(pki.root.getSubjectX500Principal().getEncoded()),
            BigInteger.valueOf(now.toEpochMilli()),
            Date.from(now.minusSeconds(60)),
            Date.from(now.plusSeconds(3600)),
            new X500Name("CN=collector"),
            key.getPublic());
    builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(name));
    X509Certificate leaf =
        new JcaX509CertificateConverter()
            .getCertificate(
                builder.build(
                    new JcaContentSignerBuilder("SHA256withECDSA").build(pki.rootKey.getPrivate())));
    Path dir = Files.createTempDirectory("jmesh-collector-tls");
    Path chain = pem(dir.resolve("chain.pem"), "CERTIFICATE", leaf.getEncoded());
    Path privateKey = pem(dir.resolve("key.pem"), "PRIVATE KEY", key.getPrivate().getEncoded());
    Path ca = pem(dir.resolve("ca.pem"), "CERTIFICATE", pki.root.getEncoded());
    Server collector =
        NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .useTransportSecurity(chain.toFile(), privateKey.toFile())
            .addService(traceService())
            .build()
            .start();
    closing.add(() -> collector.shutdownNow());
    grpcPort = collector.getPort();
    return ca;
  }

  private static Path pem(Path file, String type, byte[] der) throws IOException {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return Files.writeString(
        file, "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n");
  }

  @Test
  void aCollectorThatIsDownCostsTheAppNothingAndExportFailuresAreCounted() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    try (CapturedStderr stderr = new CapturedStderr()) {
      meshExportingTo(Map.of("otel.exporter.otlp.endpoint", "http://127.0.0.1:" + closedPort));
      callThroughTheMesh(3);
      awaitCounter(mesh.clientMetrics, "jmesh_agent_span_exports_failed_total");
      awaitCounter(mesh.serverMetrics, "jmesh_agent_span_exports_failed_total");
      // The SDK's complaints reach the agent's log only, each kind once.
      for (String line : stderr.text().split("\n")) {
        assertTrue(line.isEmpty() || line.contains(" [jmesh] "), line);
      }
    }
  }

  @Test
  void aCollectorThatNeverAnswersDropsSpansInsteadOfBlockingTheApp() throws Exception {
    grpcAndHttpCollectorThatNeverAnswers("http/protobuf");
  }

  @Test
  void aGrpcCollectorThatNeverAnswersDropsSpansInsteadOfBlockingTheApp() throws Exception {
    grpcAndHttpCollectorThatNeverAnswers("grpc");
  }

  private void grpcAndHttpCollectorThatNeverAnswers(String protocol) throws Exception {
    ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    closing.add(silent);
    List<Socket> held = new CopyOnWriteArrayList<>();
    Thread acceptor =
        new Thread(
            () -> {
              try {
                while (true) {
                  held.add(silent.accept());
                }
              } catch (IOException e) {
                // closed
              }
            });
    acceptor.setDaemon(true);
    acceptor.start();
    closing.add(
        () -> {
          for (Socket s : held) {
            s.close();
          }
        });
    meshExportingTo(
        Map.of(
            "otel.exporter.otlp.endpoint", "http://127.0.0.1:" + silent.getLocalPort(),
            "otel.exporter.otlp.protocol", protocol,
            "otel.exporter.otlp.timeout", "300ms",
            "otel.bsp.max.queue.size", "1",
            "otel.bsp.max.export.batch.size", "1",
            "otel.bsp.schedule.delay", "1ms"));
    try (CapturedStderr stderr = new CapturedStderr()) {
      callThroughTheMesh(20);
      awaitCounter(mesh.clientMetrics, "jmesh_agent_spans_dropped_total");
      awaitCounter(mesh.clientMetrics, "jmesh_agent_span_exports_failed_total");
      assertFalse(stderr.text().contains("SEVERE"), stderr.text());
    }
  }

  private static void awaitCounter(IstioMetrics metrics, String name) {
    Poll.until(
        () -> new PrometheusText(metrics.scrape()).sum(name, Map.of()) > 0,
        Duration.ofSeconds(15),
        name + " above 0");
  }
}
