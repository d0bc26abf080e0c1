package dev.jmesh.control.cli;

import java.util.Locale;
import java.util.Map;

/** The Istio kinds as operators type them ({@code pa}, {@code peerauthentications}, …). */
final class KindNames {

  private static final Map<String, String> GROUP_BY_KIND =
      Map.of(
          "PeerAuthentication", "security.istio.io",
          "AuthorizationPolicy", "security.istio.io",
          "RequestAuthentication", "security.istio.io",
          "VirtualService", "networking.istio.io",
          "DestinationRule", "networking.istio.io",
          "ServiceEntry", "networking.istio.io");

  private static final Map<String, String> KIND_BY_SHORT_NAME =
      Map.of(
          "pa", "PeerAuthentication",
          "ap", "AuthorizationPolicy",
          "ra", "RequestAuthentication",
          "vs", "VirtualService",
          "dr", "DestinationRule",
          "se", "ServiceEntry");

  private KindNames() {}

  /** The Kubernetes kind for what the operator typed; unknown names pass through unchanged. */
  static String canonical(String typed) {
    String name = typed.contains(".") ? typed.substring(0, typed.indexOf('.')) : typed;
    String lower = name.toLowerCase(Locale.ROOT);
    if (KIND_BY_SHORT_NAME.containsKey(lower)) {
      return KIND_BY_SHORT_NAME.get(lower);
    }
    for (String kind : GROUP_BY_KIND.keySet()) {
      String singular = kind.toLowerCase(Locale.ROOT);
      String plural =
          singular.endsWith("y")
              ? singular.substring(0, singular.length() - 1) + "ies"
              : singular + "s";
      if (lower.equals(singular) || lower.equals(plural)) {
        return kind;
      }
    }
    return name;
  }

  /** {@code peerauthentication.security.istio.io}, as kubectl prints a resource type. */
  static String resourceType(String kind) {
    String group = GROUP_BY_KIND.get(kind);
    String lower = kind.toLowerCase(Locale.ROOT);
    return group == null ? lower : lower + "." + group;
  }
}
