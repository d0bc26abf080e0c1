package dev.jmesh.agent.outbound;

import dev.jmesh.api.ServiceInstance;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The mesh's services as the latest snapshot knows them. */
public interface ServiceDirectory {

  /** Whether any snapshot has been applied yet. */
  boolean hasSnapshot();

  /** Completes when the first snapshot has been applied. */
  CompletableFuture<?> firstSnapshot();

  /** Completes when the next snapshot after this call has been applied. */
  CompletableFuture<?> nextSnapshot();

  /**
   * The mesh's trust domain (also the DNS suffix of fully qualified names), cluster.local by
   * default.
   */
  String trustDomain();

  /** Whether {@code namespace/service} has live instances in the latest snapshot. */
  boolean hasService(String namespace, String service);

  /** The live instances of {@code namespace/service}, possibly none. */
  List<ServiceInstance> instances(String namespace, String service);
}
