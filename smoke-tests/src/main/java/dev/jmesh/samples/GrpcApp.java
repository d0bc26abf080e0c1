package dev.jmesh.samples;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A gRPC service on grpc-netty-shaded (which serves and calls on Netty's native epoll transport
 * on Linux, in Netty classes relocated under {@code io.grpc.netty.shaded}), with no generated code:
 * one unary method, {@code jmesh.Greeter/Hello}, whose request and answer are UTF-8 strings. It
 * answers {@code hello <request> from <app.name>}. With {@code CALL_TARGET=host:port} it also calls
 * that address's {@code Hello} every half second, in plaintext gRPC, and prints each outcome on
 * stdout ({@code called host:port: <answer>} or {@code call to host:port failed: <status>}).
 */
public final class GrpcApp {

  static final MethodDescriptor<String, String> HELLO =
      MethodDescriptor.<String, String>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("jmesh.Greeter/Hello")
          .setRequestMarshaller(new Utf8())
          .setResponseMarshaller(new Utf8())
          .build();

  private GrpcApp() {}

  public static void main(String[] args) throws Exception {
    String name = SampleSupport.setting("app.name", "APP_NAME", "grpc-app");
    int port = Integer.parseInt(SampleSupport.setting("app.port", "PORT", "8080"));
    Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
            .addService(
                ServerServiceDefinition.builder("jmesh.Greeter")
                    .addMethod(
                        HELLO,
                        ServerCalls.asyncUnaryCall(
                            (request, answer) -> {
                              answer.onNext("hello " + request + " from " + name);
                              answer.onCompleted();
                            }))
                    .build())
            .build()
            .start();
    System.out.println("GrpcApp " + name + " listening on 127.0.0.1:" + port);
    String target = SampleSupport.setting("call.target", "CALL_TARGET", "");
    if (target.isEmpty()) {
      server.awaitTermination();
      return;
    }
    int colon = target.lastIndexOf(':');
    ManagedChannel channel =
        NettyChannelBuilder.forAddress(
                target.substring(0, colon), Integer.parseInt(target.substring(colon + 1)))
            .usePlaintext()
            .build();
    while (!Thread.currentThread().isInterrupted()) {
      try {
        String answer =
            ClientCalls.blockingUnaryCall(
                channel, HELLO, CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), name);
        System.out.println("called " + target + ": " + answer);
      } catch (StatusRuntimeException e) {
        System.out.println("call to " + target + " failed: " + e.getStatus());
      }
      System.out.flush();
      Thread.sleep(500);
    }
  }

  /** UTF-8 strings as gRPC messages. */
  private static final class Utf8 implements MethodDescriptor.Marshaller<String> {
    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String parse(InputStream stream) {
      try {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
