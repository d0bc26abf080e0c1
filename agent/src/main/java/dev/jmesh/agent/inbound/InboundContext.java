package dev.jmesh.agent.inbound;

import dev.jmesh.agent.runtime.RecentConnections;
import dev.jmesh.agent.runtime.StartupDeadline;
import dev.jmesh.agent.telemetry.Telemetry;
import dev.jmesh.agent.tls.MeshTlsContexts;
import io.netty.channel.EventLoopGroup;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * What every inbound listener shares.
 *
 * @param firstCertificate completes when the workload has its first certificate
 * @param appBindTimeout how long a connection waits for the application's own bind to finish
 * @param telemetry metrics and access log; null for none
 */
public record InboundContext(
    InboundPolicy policy,
    MeshTlsContexts tls,
    CompletableFuture<?> firstCertificate,
    StartupDeadline deadline,
    RecentConnections connections,
    EventLoopGroup acceptors,
    EventLoopGroup workers,
    Duration appBindTimeout,
    Telemetry telemetry) {

  /** Without telemetry (no metrics, no access log). */
  public InboundContext(
      InboundPolicy policy,
      MeshTlsContexts tls,
      CompletableFuture<?> firstCertificate,
      StartupDeadline deadline,
      RecentConnections connections,
      EventLoopGroup acceptors,
      EventLoopGroup workers,
      Duration appBindTimeout) {
    this(
        policy,
        tls,
        firstCertificate,
        deadline,
        connections,
        acceptors,
        workers,
        appBindTimeout,
        null);
  }
}
