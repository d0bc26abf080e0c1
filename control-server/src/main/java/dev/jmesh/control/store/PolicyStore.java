package dev.jmesh.control.store;

import dev.jmesh.api.PolicyResource;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Where validated policy resources live. Kinds are matched case-insensitively; every change is
 * stamped with the global snapshot version and recorded in the resource's history. The rest of the
 * server never knows which implementation it talks to.
 */
public interface PolicyStore {

  /**
   * Stores {@code resources} (already validated) as one change, kubectl-apply style, and reports
   * for each whether it was created, configured or unchanged. Either all are stored or none.
   */
  List<AppliedResource> apply(List<PolicyResource> resources) throws IOException;

  Optional<PolicyResource> get(String kind, String namespace, String name);

  /** Resources of {@code kind} in {@code namespace} (null = any), oldest first. */
  List<PolicyResource> list(String kind, String namespace);

  /** Removes the resource and returns what it was; empty when it does not exist. */
  Optional<PolicyResource> delete(String kind, String namespace, String name) throws IOException;

  /** Every change of the resource, oldest first (also after it was deleted); empty when none. */
  List<HistoryEntry> history(String kind, String namespace, String name);
}
