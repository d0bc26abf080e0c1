package dev.jmesh.policy;

import static dev.jmesh.policy.MtlsMode.DISABLE;
import static dev.jmesh.policy.MtlsMode.PERMISSIVE;
import static dev.jmesh.policy.MtlsMode.STRICT;
import static dev.jmesh.policy.MtlsMode.UNSET;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Istio's PeerAuthentication precedence, one row per rule. */
class MtlsPolicyTest {

  private static final String ROOT = "istio-system";
  private static final Map<String, String> REVIEWS_V1 = Map.of("app", "reviews", "version", "v1");

  static Stream<Arguments> rules() {
    return Stream.of(
        row("no policy at all is PERMISSIVE", "foo", 8080, PERMISSIVE, "none"),
        row(
            "mesh policy applies to every namespace",
            "foo", 8080, STRICT, "istio-system/default",
            meshWide("default", 1, STRICT)),
        row(
            "namespace policy beats mesh policy",
            "foo", 8080, DISABLE, "foo/default",
            meshWide("default", 1, STRICT),
            namespaceWide("foo", "default", 2, DISABLE)),
        row(
            "workload policy beats namespace policy",
            "foo", 8080, PERMISSIVE, "foo/reviews",
            namespaceWide("foo", "default", 1, STRICT),
            workload("foo", "reviews", 2, Map.of("app", "reviews"), PERMISSIVE, Map.of())),
        row(
            "workload policy beats mesh policy",
            "foo", 8080, DISABLE, "foo/reviews",
            meshWide("default", 1, STRICT),
            workload("foo", "reviews", 2, Map.of("app", "reviews"), DISABLE, Map.of())),
        row(
            "selector policy in root namespace is ignored",
            "foo", 8080, PERMISSIVE, "none",
            workload(ROOT, "reviews", 1, Map.of("app", "reviews"), STRICT, Map.of())),
        row(
            "selector policy in root namespace is ignored for root-namespace workloads too",
            ROOT, 8080, DISABLE, "istio-system/default",
            meshWide("default", 1, DISABLE),
            workload(ROOT, "reviews", 2, Map.of("app", "reviews"), STRICT, Map.of())),
        row(
            "empty selector in root namespace is mesh-wide",
            "foo", 8080, STRICT, "istio-system/empty",
            workload(ROOT, "empty", 1, Map.of(), STRICT, Map.of())),
        row(
            "empty selector is namespace-wide",
            "foo", 8080, DISABLE, "foo/empty",
            meshWide("default", 1, STRICT),
            workload("foo", "empty", 2, Map.of(), DISABLE, Map.of())),
        row(
            "selector that does not match the workload does not apply",
            "foo", 8080, PERMISSIVE, "none",
            workload("foo", "ratings", 1, Map.of("app", "ratings"), STRICT, Map.of())),
        row(
            "selector must match all of its labels",
            "foo", 8080, PERMISSIVE, "none",
            workload("foo", "v2", 1, Map.of("app", "reviews", "version", "v2"), STRICT, Map.of())),
        row(
            "selector that is a subset of the workload labels applies",
            "foo", 8080, STRICT, "foo/v1",
            workload("foo", "v1", 1, Map.of("version", "v1"), STRICT, Map.of())),
        row(
            "namespace policy of another namespace does not apply",
            "foo", 8080, PERMISSIVE, "none",
            namespaceWide("bar", "default", 1, STRICT)),
        row(
            "workload policy of another namespace does not apply",
            "foo", 8080, PERMISSIVE, "none",
            workload("bar", "reviews", 1, Map.of("app", "reviews"), STRICT, Map.of())),
        row(
            "oldest policy in a scope wins",
            "foo", 8080, DISABLE, "foo/older",
            namespaceWide("foo", "newer", 5, STRICT),
            namespaceWide("foo", "older", 2, DISABLE)),
        row(
            "oldest mesh policy wins",
            "foo", 8080, STRICT, "istio-system/older",
            meshWide("newer", 9, DISABLE),
            meshWide("older", 3, STRICT)),
        row(
            "oldest workload policy wins",
            "foo", 8080, PERMISSIVE, "foo/older",
            workload("foo", "newer", 7, Map.of("app", "reviews"), STRICT, Map.of()),
            workload("foo", "older", 4, Map.of("version", "v1"), PERMISSIVE, Map.of())),
        row(
            "policies of the same age are ordered by name",
            "foo", 8080, DISABLE, "foo/a-disable",
            namespaceWide("foo", "b-strict", 3, STRICT),
            namespaceWide("foo", "a-disable", 3, DISABLE)),
        row(
            "oldest policy in a scope wins even when it is UNSET",
            "foo", 8080, STRICT, "istio-system/default",
            meshWide("default", 1, STRICT),
            namespaceWide("foo", "older", 2, UNSET),
            namespaceWide("foo", "newer", 3, DISABLE)),
        row(
            "UNSET inherits from namespace",
            "foo", 8080, STRICT, "foo/default",
            namespaceWide("foo", "default", 1, STRICT),
            workload("foo", "reviews", 2, Map.of("app", "reviews"), UNSET, Map.of())),
        row(
            "UNSET inherits from mesh",
            "foo", 8080, STRICT, "istio-system/default",
            meshWide("default", 1, STRICT),
            namespaceWide("foo", "default", 2, UNSET)),
        row(
            "UNSET workload and namespace inherit from mesh",
            "foo", 8080, DISABLE, "istio-system/default",
            meshWide("default", 1, DISABLE),
            namespaceWide("foo", "default", 2, UNSET),
            workload("foo", "reviews", 3, Map.of("app", "reviews"), UNSET, Map.of())),
        row(
            "UNSET at every scope is PERMISSIVE",
            "foo", 8080, PERMISSIVE, "none",
            meshWide("default", 1, UNSET),
            namespaceWide("foo", "default", 2, UNSET)),
        row(
            "port-level mode overrides the workload mode",
            "foo", 8080, PERMISSIVE, "foo/reviews",
            workload("foo", "reviews", 1, Map.of("app", "reviews"), STRICT, Map.of(8080, PERMISSIVE))),
        row(
            "port-level mode applies only to its own port",
            "foo", 9090, STRICT, "foo/reviews",
            workload("foo", "reviews", 1, Map.of("app", "reviews"), STRICT, Map.of(8080, PERMISSIVE))),
        row(
            "port-level UNSET inherits from workload",
            "foo", 8080, STRICT, "foo/reviews",
            namespaceWide("foo", "default", 1, DISABLE),
            workload("foo", "reviews", 2, Map.of("app", "reviews"), STRICT, Map.of(8080, UNSET))),
        row(
            "port-level UNSET inherits what the workload inherited",
            "foo", 8080, STRICT, "foo/default",
            namespaceWide("foo", "default", 1, STRICT),
            workload("foo", "reviews", 2, Map.of("app", "reviews"), UNSET, Map.of(8080, UNSET))),
        row(
            "port-level mode applies when the workload mode is UNSET",
            "foo", 8080, DISABLE, "foo/reviews",
            namespaceWide("foo", "default", 1, STRICT),
            workload("foo", "reviews", 2, Map.of("app", "reviews"), UNSET, Map.of(8080, DISABLE))),
        row(
            "port-level mTLS of a newer workload policy is not used",
            "foo", 8080, STRICT, "foo/older",
            workload("foo", "older", 1, Map.of("app", "reviews"), STRICT, Map.of()),
            workload("foo", "newer", 2, Map.of("app", "reviews"), STRICT, Map.of(8080, DISABLE))),
        row(
            "root-namespace workload gets the mesh policy",
            ROOT, 8080, STRICT, "istio-system/default",
            meshWide("default", 1, STRICT)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rules")
  void followsIstioPrecedence(
      String rule,
      List<PeerAuthentication> policies,
      String workloadNamespace,
      int port,
      MtlsMode expectedMode,
      String expectedSource) {
    MtlsPolicy policy = MtlsPolicy.compile(policies, ROOT, workloadNamespace, REVIEWS_V1);
    assertEquals(expectedMode, policy.modeForPort(port), policy::toString);
    assertEquals(expectedSource, policy.sourceForPort(port), policy::toString);

    List<PeerAuthentication> reversed = new ArrayList<>(policies);
    Collections.reverse(reversed);
    MtlsPolicy fromReversed = MtlsPolicy.compile(reversed, ROOT, workloadNamespace, REVIEWS_V1);
    assertEquals(expectedMode, fromReversed.modeForPort(port), "order of the input must not matter");
    assertEquals(expectedSource, fromReversed.sourceForPort(port));
  }

  private static Arguments row(
      String rule,
      String workloadNamespace,
      int port,
      MtlsMode mode,
      String source,
      PeerAuthentication... policies) {
    return Arguments.of(rule, List.of(policies), workloadNamespace, port, mode, source);
  }

  private static PeerAuthentication meshWide(String name, long createdIndex, MtlsMode mode) {
    return new PeerAuthentication(ROOT, name, createdIndex, null, mode, Map.of());
  }

  private static PeerAuthentication namespaceWide(
      String namespace, String name, long createdIndex, MtlsMode mode) {
    return new PeerAuthentication(namespace, name, createdIndex, null, mode, Map.of());
  }

  private static PeerAuthentication workload(
      String namespace,
      String name,
      long createdIndex,
      Map<String, String> selector,
      MtlsMode mode,
      Map<Integer, MtlsMode> ports) {
    return new PeerAuthentication(namespace, name, createdIndex, selector, mode, ports);
  }
}
