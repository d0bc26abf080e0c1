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
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Istio's PeerAuthentication precedence, one row per rule. The workload is {@code app=reviews,
 * version=v1} in namespace {@code foo} and the port 8080 unless a row says otherwise.
 */
class MtlsPolicyTest {

  private static final String ROOT = "istio-system";
  private static final Map<String, String> REVIEWS_V1 = Map.of("app", "reviews", "version", "v1");
  private static final Map<String, String> APP_REVIEWS = Map.of("app", "reviews");

  static Stream<Case> rules() {
    return Stream.of(
        rule("no policy at all is PERMISSIVE").given().expect(PERMISSIVE, "none"),
        rule("mesh policy applies to every namespace")
            .given(meshWide("default", 1, STRICT))
            .expect(STRICT, "istio-system/default"),
        rule("namespace policy beats mesh policy")
            .given(meshWide("default", 1, STRICT), namespaceWide("foo", "default", 2, DISABLE))
            .expect(DISABLE, "foo/default"),
        rule("workload policy beats namespace policy")
            .given(
                namespaceWide("foo", "default", 1, STRICT),
                workload("foo", "reviews", 2, APP_REVIEWS, PERMISSIVE))
            .expect(PERMISSIVE, "foo/reviews"),
        rule("workload policy beats mesh policy")
            .given(
                meshWide("default", 1, STRICT), workload("foo", "reviews", 2, APP_REVIEWS, DISABLE))
            .expect(DISABLE, "foo/reviews"),
        rule("selector policy in root namespace is ignored")
            .given(workload(ROOT, "reviews", 1, APP_REVIEWS, STRICT))
            .expect(PERMISSIVE, "none"),
        rule("selector policy in root namespace is ignored for root-namespace workloads too")
            .given(
                meshWide("default", 1, DISABLE), workload(ROOT, "reviews", 2, APP_REVIEWS, STRICT))
            .workloadIn(ROOT)
            .expect(DISABLE, "istio-system/default"),
        rule("empty selector in root namespace is mesh-wide")
            .given(workload(ROOT, "empty", 1, Map.of(), STRICT))
            .expect(STRICT, "istio-system/empty"),
        rule("empty selector is namespace-wide")
            .given(meshWide("default", 1, STRICT), workload("foo", "empty", 2, Map.of(), DISABLE))
            .expect(DISABLE, "foo/empty"),
        rule("selector that does not match the workload does not apply")
            .given(workload("foo", "ratings", 1, Map.of("app", "ratings"), STRICT))
            .expect(PERMISSIVE, "none"),
        rule("selector must match all of its labels")
            .given(workload("foo", "v2", 1, Map.of("app", "reviews", "version", "v2"), STRICT))
            .expect(PERMISSIVE, "none"),
        rule("selector that is a subset of the workload labels applies")
            .given(workload("foo", "v1", 1, Map.of("version", "v1"), STRICT))
            .expect(STRICT, "foo/v1"),
        rule("namespace policy of another namespace does not apply")
            .given(namespaceWide("bar", "default", 1, STRICT))
            .expect(PERMISSIVE, "none"),
        rule("workload policy of another namespace does not apply")
            .given(workload("bar", "reviews", 1, APP_REVIEWS, STRICT))
            .expect(PERMISSIVE, "none"),
        rule("oldest policy in a scope wins")
            .given(
                namespaceWide("foo", "newer", 5, STRICT), namespaceWide("foo", "older", 2, DISABLE))
            .expect(DISABLE, "foo/older"),
        rule("oldest mesh policy wins")
            .given(meshWide("newer", 9, DISABLE), meshWide("older", 3, STRICT))
            .expect(STRICT, "istio-system/older"),
        rule("oldest workload policy wins")
            .given(
                workload("foo", "newer", 7, APP_REVIEWS, STRICT),
                workload("foo", "older", 4, Map.of("version", "v1"), PERMISSIVE))
            .expect(PERMISSIVE, "foo/older"),
        rule("policies of the same age are ordered by name")
            .given(
                namespaceWide("foo", "b-strict", 3, STRICT),
                namespaceWide("foo", "a-disable", 3, DISABLE))
            .expect(DISABLE, "foo/a-disable"),
        rule("oldest policy in a scope wins even when it is UNSET")
            .given(
                meshWide("default", 1, STRICT),
                namespaceWide("foo", "older", 2, UNSET),
                namespaceWide("foo", "newer", 3, DISABLE))
            .expect(STRICT, "istio-system/default"),
        rule("UNSET inherits from namespace")
            .given(
                namespaceWide("foo", "default", 1, STRICT),
                workload("foo", "reviews", 2, APP_REVIEWS, UNSET))
            .expect(STRICT, "foo/default"),
        rule("UNSET inherits from mesh")
            .given(meshWide("default", 1, STRICT), namespaceWide("foo", "default", 2, UNSET))
            .expect(STRICT, "istio-system/default"),
        rule("UNSET workload and namespace inherit from mesh")
            .given(
                meshWide("default", 1, DISABLE),
                namespaceWide("foo", "default", 2, UNSET),
                workload("foo", "reviews", 3, APP_REVIEWS, UNSET))
            .expect(DISABLE, "istio-system/default"),
        rule("UNSET at every scope is PERMISSIVE")
            .given(meshWide("default", 1, UNSET), namespaceWide("foo", "default", 2, UNSET))
            .expect(PERMISSIVE, "none"),
        rule("port-level mode overrides the workload mode")
            .given(workload("foo", "reviews", 1, APP_REVIEWS, STRICT, Map.of(8080, PERMISSIVE)))
            .expect(PERMISSIVE, "foo/reviews"),
        rule("port-level mode applies only to its own port")
            .given(workload("foo", "reviews", 1, APP_REVIEWS, STRICT, Map.of(8080, PERMISSIVE)))
            .port(9090)
            .expect(STRICT, "foo/reviews"),
        rule("port-level UNSET inherits from workload")
            .given(
                namespaceWide("foo", "default", 1, DISABLE),
                workload("foo", "reviews", 2, APP_REVIEWS, STRICT, Map.of(8080, UNSET)))
            .expect(STRICT, "foo/reviews"),
        rule("port-level UNSET inherits what the workload inherited")
            .given(
                namespaceWide("foo", "default", 1, STRICT),
                workload("foo", "reviews", 2, APP_REVIEWS, UNSET, Map.of(8080, UNSET)))
            .expect(STRICT, "foo/default"),
        rule("port-level mode applies when the workload mode is UNSET")
            .given(
                namespaceWide("foo", "default", 1, STRICT),
                workload("foo", "reviews", 2, APP_REVIEWS, UNSET, Map.of(8080, DISABLE)))
            .expect(DISABLE, "foo/reviews"),
        rule("port-level mTLS of a newer workload policy is not used")
            .given(
                workload("foo", "older", 1, APP_REVIEWS, STRICT),
                workload("foo", "newer", 2, APP_REVIEWS, STRICT, Map.of(8080, DISABLE)))
            .expect(STRICT, "foo/older"),
        rule("root-namespace workload gets the mesh policy")
            .given(meshWide("default", 1, STRICT))
            .workloadIn(ROOT)
            .expect(STRICT, "istio-system/default"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rules")
  void followsIstioPrecedence(Case row) {
    MtlsPolicy policy = MtlsPolicy.compile(row.policies(), ROOT, row.namespace(), REVIEWS_V1);
    assertEquals(row.mode(), policy.modeForPort(row.port()), policy::toString);
    assertEquals(row.source(), policy.sourceForPort(row.port()), policy::toString);

    List<PeerAuthentication> reversed = new ArrayList<>(row.policies());
    Collections.reverse(reversed);
    MtlsPolicy fromReversed = MtlsPolicy.compile(reversed, ROOT, row.namespace(), REVIEWS_V1);
    assertEquals(row.mode(), fromReversed.modeForPort(row.port()), "input order must not matter");
    assertEquals(row.source(), fromReversed.sourceForPort(row.port()));
  }

  /** One row: policies, the workload's namespace and port, the expected mode and its source. */
  record Case(
      String rule,
      List<PeerAuthentication> policies,
      String namespace,
      int port,
      MtlsMode mode,
      String source) {

    Case given(PeerAuthentication... givenPolicies) {
      return new Case(rule, List.of(givenPolicies), namespace, port, mode, source);
    }

    Case workloadIn(String workloadNamespace) {
      return new Case(rule, policies, workloadNamespace, port, mode, source);
    }

    Case port(int workloadPort) {
      return new Case(rule, policies, namespace, workloadPort, mode, source);
    }

    Case expect(MtlsMode expectedMode, String expectedSource) {
      return new Case(rule, policies, namespace, port, expectedMode, expectedSource);
    }

    @Override
    public String toString() {
      return rule;
    }
  }

  private static Case rule(String rule) {
    return new Case(rule, List.of(), "foo", 8080, null, null);
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
      MtlsMode mode) {
    return workload(namespace, name, createdIndex, selector, mode, Map.of());
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
