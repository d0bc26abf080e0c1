package dev.jmesh.agent.tracing;

import io.opentelemetry.sdk.common.export.GrpcSender;
import io.opentelemetry.sdk.common.export.GrpcSenderConfig;
import io.opentelemetry.sdk.common.export.GrpcSenderProvider;

/**
 * OTLP over gRPC ({@code OTEL_EXPORTER_OTLP_PROTOCOL=grpc}) on the Netty the agent already ships,
 * since OpenTelemetry's own gRPC senders need OkHttp or grpc-java. Found by the SDK through {@code
 * META-INF/services}.
 */
public final class NettyGrpcSenderProvider implements GrpcSenderProvider {

  @Override
  public GrpcSender createSender(GrpcSenderConfig config) {
    return new NettyGrpcSender(config);
  }
}
