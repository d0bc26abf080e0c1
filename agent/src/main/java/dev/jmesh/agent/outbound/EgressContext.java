package dev.jmesh.agent.outbound;

import dev.jmesh.agent.runtime.RecentConnections;
import dev.jmesh.agent.runtime.StartupDeadline;
import dev.jmesh.agent.telemetry.Telemetry;
import dev.jmesh.agent.tls.MeshTlsContexts;
import io.netty.channel.EventLoopGroup;
import java.util.concurrent.CompletableFuture;

/** What every egress listener shares; {@code telemetry} is null for none. */
public record EgressContext(
    ServiceDirectory directory,
    MeshTlsContexts tls,
    CompletableFuture<?> firstCertificate,
    StartupDeadline deadline,
    RecentConnections connections,
    EventLoopGroup acceptors,
    EventLoopGroup workers,
    Telemetry telemetry) {

  /** Without telemetry (no metrics, no access log). */
  public EgressContext(
      ServiceDirectory directory,
      MeshTlsContexts tls,
      CompletableFuture<?> firstCertificate,
      StartupDeadline deadline,
      RecentConnections connections,
      EventLoopGroup acceptors,
      EventLoopGroup workers) {
    this(directory, tls, firstCertificate, deadline, connections, acceptors, workers, null);
  }
}
