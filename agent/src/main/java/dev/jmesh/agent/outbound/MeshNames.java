package dev.jmesh.agent.outbound;

import java.util.Locale;

/**
 * Which host names name mesh services, the way Kubernetes DNS search paths would: {@code orders}
 * (in the agent's namespace), {@code orders.shop}, {@code orders.shop.svc} and {@code
 * orders.shop.svc.cluster.local}. The short forms count only when the latest snapshot has such a
 * service; fully qualified {@code *.svc.<trust domain>} names always count.
 */
public final class MeshNames {

  static final String DEFAULT_DNS_SUFFIX = "cluster.local";

  private final String agentNamespace;
  private final ServiceDirectory directory;
  private final java.util.function.Predicate<ServiceName> knownBefore;

  public MeshNames(String agentNamespace, ServiceDirectory directory) {
    this(agentNamespace, directory, name -> false);
  }

  /**
   * @param knownBefore services that count as mesh names even when the latest snapshot has no
   *     instance of them (a service that restarts does not fall out of the mesh for a moment)
   */
  public MeshNames(
      String agentNamespace,
      ServiceDirectory directory,
      java.util.function.Predicate<ServiceName> knownBefore) {
    this.agentNamespace = agentNamespace;
    this.directory = directory;
    this.knownBefore = knownBefore;
  }

  /** Whether {@code host} could be a mesh name before looking at the snapshot (cheap). */
  public static boolean couldBeMeshName(String host) {
    if (host == null || host.isEmpty() || host.indexOf(':') >= 0) {
      return false;
    }
    String h = normalize(host);
    if (h.isEmpty() || h.equals("localhost") || Character.isDigit(h.charAt(h.length() - 1))) {
      return false; // IPv4 literals, and no DNS TLD ends in a digit
    }
    String[] labels = h.split("\\.", -1);
    for (String label : labels) {
      if (label.isEmpty()) {
        return false;
      }
    }
    return labels.length <= 3 || labels[2].equals("svc");
  }

  /**
   * Whether resolving {@code host} needs the snapshot (it is a short name, not fully qualified).
   */
  public boolean needsSnapshot(String host) {
    return couldBeMeshName(host) && !isFullyQualified(normalize(host).split("\\."));
  }

  /** The mesh service {@code host} names, or null when it names nothing in the mesh. */
  public ServiceName lookup(String host) {
    if (!couldBeMeshName(host)) {
      return null;
    }
    String[] labels = normalize(host).split("\\.");
    if (isFullyQualified(labels)) {
      return new ServiceName(labels[0], labels[1]);
    }
    ServiceName candidate;
    switch (labels.length) {
      case 1:
        candidate = new ServiceName(labels[0], agentNamespace);
        break;
      case 2:
        candidate = new ServiceName(labels[0], labels[1]);
        break;
      case 3:
        if (!labels[2].equals("svc")) {
          return null;
        }
        candidate = new ServiceName(labels[0], labels[1]);
        break;
      default:
        return null;
    }
    return directory.hasService(candidate.namespace(), candidate.service())
            || knownBefore.test(candidate)
        ? candidate
        : null;
  }

  private boolean isFullyQualified(String[] labels) {
    if (labels.length < 4 || !labels[2].equals("svc")) {
      return false;
    }
    String suffix = String.join(".", java.util.Arrays.copyOfRange(labels, 3, labels.length));
    return suffix.equals(DEFAULT_DNS_SUFFIX)
        || suffix.equals(directory.trustDomain().toLowerCase(Locale.ROOT));
  }

  private static String normalize(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
  }
}
