package dev.jmesh.agent.inbound;

import java.util.concurrent.CompletableFuture;

/** What the inbound side needs to know from the latest snapshot. */
public interface InboundPolicy {

  /** The effective mode for an original application port, or null before the first snapshot. */
  PortDecision decide(int port);

  /** Completes when the first snapshot has been applied. */
  CompletableFuture<?> firstSnapshot();
}
