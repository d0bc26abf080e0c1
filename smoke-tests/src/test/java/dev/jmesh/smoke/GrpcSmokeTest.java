package dev.jmesh.smoke;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * gRPC on grpc-netty-shaded, which listens and connects on Netty's native epoll transport in its
 * own relocated copy of Netty: two unmodified gRPC apps call each other by mesh name over the
 * agents' mutual TLS. The server's agent serves its port (the listener moved) and sees the
 * caller's SPIFFE ID; the caller's channel resolves the mesh name and connects through its agent.
 */
@ExtendWith(PrintProcessOutputOnFailure.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class GrpcSmokeTest {

  private static final String SHADED_EPOLL_LISTENER =
      "io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel";

  @Test
  void grpcAppsOnGrpcNettyShadedCallEachOtherOverTheMesh() throws Exception {
    try (ControlServer control = ControlServer.start();
        MeshApp server = MeshApp.builder("greeter", MeshApp.GRPC).joining(control).start()) {
      server.awaitReady();
      try (MeshApp caller =
          MeshApp.builder("caller", MeshApp.GRPC)
              .joining(control)
              .env("CALL_TARGET", "greeter:" + server.port())
              .start()) {
        caller.awaitReady();
        String expected = "called greeter:" + server.port() + ": hello caller from greeter";
        Poll.until(
            Duration.ofSeconds(60),
            "caller's gRPC call to greeter over the mesh",
            () -> caller.stdout().contains(expected));

        ConfigDump dump = server.configDump();
        assertTrue(
            dump.inbound().stream().anyMatch(c -> c.from(caller.spiffeId())),
            () -> "greeter's agent saw no mutual-TLS connection from caller: " + dump);
        assertTrue(
            dump.instrumentedTypes().contains(SHADED_EPOLL_LISTENER),
            () -> "grpc-netty-shaded did not listen on epoll: " + dump.instrumentedTypes());
      }
    }
  }
}
