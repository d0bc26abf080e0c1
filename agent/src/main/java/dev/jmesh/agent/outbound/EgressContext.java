package dev.jmesh.agent.outbound;

import dev.jmesh.agent.runtime.RecentConnections;
import dev.jmesh.agent.runtime.StartupDeadline;
import dev.jmesh.agent.tls.MeshTlsContexts;
import io.netty.channel.EventLoopGroup;
import java.util.concurrent.CompletableFuture;

/** What every egress listener shares. */
public record EgressContext(
    ServiceDirectory directory,
    MeshTlsContexts tls,
    CompletableFuture<?> firstCertificate,
    StartupDeadline deadline,
    RecentConnections connections,
    EventLoopGroup acceptors,
    EventLoopGroup workers) {}
