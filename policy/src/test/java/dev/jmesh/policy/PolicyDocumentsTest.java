package dev.jmesh.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jmesh.api.PolicyResource;
import dev.jmesh.policy.PolicyDocuments.ParseResult;
import dev.jmesh.policy.PolicyDocuments.Skipped;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PolicyDocumentsTest {

  private static final String STRICT_IN_DEFAULT =
      """
      apiVersion: security.istio.io/v1
      kind: PeerAuthentication
      metadata:
        name: strict
      spec:
        mtls:
          mode: STRICT
      """;

  @Test
  void readsPeerAuthenticationIntoTheWireFormat() throws PolicyException {
    ParseResult result = PolicyDocuments.parseYaml(STRICT_IN_DEFAULT, "default", "mtls.yaml");

    assertEquals(
        List.of(
            new PolicyResource(
                "security.istio.io/v1",
                "PeerAuthentication",
                "default",
                "strict",
                0,
                0,
                Map.of("mtls", Map.of("mode", "STRICT")))),
        result.resources());
    assertEquals(List.of(), result.skipped());
  }

  @Test
  void metadataNamespaceOverridesTheDefault() throws PolicyException {
    String yaml =
        STRICT_IN_DEFAULT.replace("  name: strict\n", "  name: strict\n  namespace: foo\n");

    assertEquals(
        "foo", PolicyDocuments.parseYaml(yaml, "default", null).resources().get(0).namespace());
  }

  @Test
  void skipsKindsJmeshDoesNotHandleAndEmptyDocuments() throws PolicyException {
    String yaml =
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: reviews
        ---
        ---
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata:
          name: bookinfo-gateway
        spec: {}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {}
        ---
        apiVersion: gateway.solo.io/v1
        kind: VirtualService
        metadata:
          name: not-istio
        ---
        """
            + STRICT_IN_DEFAULT;

    ParseResult result = PolicyDocuments.parseYaml(yaml, "default", "bookinfo.yaml");

    assertEquals(
        List.of(
            new Skipped(1, "v1", "Service", "reviews", "not an Istio kind"),
            new Skipped(
                3,
                "networking.istio.io/v1",
                "Gateway",
                "bookinfo-gateway",
                "Istio kind not handled by jmesh"),
            new Skipped(4, "apps/v1", "Deployment", null, "not an Istio kind"),
            new Skipped(
                5,
                "gateway.solo.io/v1",
                "VirtualService",
                "not-istio",
                "not an Istio kind (group gateway.solo.io)")),
        result.skipped());
    assertEquals(List.of("strict"), result.resources().stream().map(PolicyResource::name).toList());
  }

  static Stream<Arguments> structurallyCheckedKinds() {
    return Stream.of(
        Arguments.of("networking.istio.io/v1", "VirtualService"),
        Arguments.of("networking.istio.io/v1beta1", "DestinationRule"),
        Arguments.of("networking.istio.io/v1alpha3", "ServiceEntry"),
        Arguments.of("security.istio.io/v1", "AuthorizationPolicy"),
        Arguments.of("security.istio.io/v1beta1", "RequestAuthentication"),
        Arguments.of("security.istio.io/v1beta1", "PeerAuthentication"));
  }

  @ParameterizedTest(name = "{1} {0} is accepted")
  @MethodSource("structurallyCheckedKinds")
  void acceptsEveryJmeshKindAndVersion(String apiVersion, String kind) throws PolicyException {
    String yaml =
        "apiVersion: " + apiVersion + "\nkind: " + kind + "\nmetadata:\n  name: x.y-1\nspec: {}\n";

    PolicyResource resource = PolicyDocuments.parseYaml(yaml, "ns", null).resources().get(0);

    assertEquals(new PolicyResource(apiVersion, kind, "ns", "x.y-1", 0, 0, Map.of()), resource);
  }

  static Stream<Arguments> invalidDocuments() {
    return Stream.of(
        invalid(
            "an unknown mode names the field and the allowed values",
            pa("mtls:\n    mode: STRICTT"),
            "document 2 (PeerAuthentication default/strict): spec.mtls.mode: \"STRICTT\" is not"
                + " one of UNSET, DISABLE, PERMISSIVE, STRICT"),
        invalid(
            "modes are case-sensitive",
            pa("mtls:\n    mode: strict"),
            "document 2 (PeerAuthentication default/strict): spec.mtls.mode: \"strict\" is not"
                + " one of UNSET, DISABLE, PERMISSIVE, STRICT"),
        invalid(
            "an unknown field under spec is an error",
            pa("mtl:\n    mode: STRICT"),
            "document 2 (PeerAuthentication default/strict): spec.mtl: unknown field; expected one"
                + " of selector, mtls, portLevelMtls"),
        invalid(
            "an unknown field under mtls is an error",
            pa("mtls:\n    mod: STRICT"),
            "document 2 (PeerAuthentication default/strict): spec.mtls.mod: unknown field;"
                + " expected one of mode"),
        invalid(
            "an unknown field under selector is an error",
            pa("selector:\n    matchLabel:\n      app: a"),
            "document 2 (PeerAuthentication default/strict): spec.selector.matchLabel: unknown"
                + " field; expected one of matchLabels"),
        invalid(
            "portLevelMtls requires a selector",
            pa("portLevelMtls:\n    8080:\n      mode: DISABLE"),
            "document 2 (PeerAuthentication default/strict): spec.portLevelMtls: requires"
                + " spec.selector.matchLabels (mesh- and namespace-wide PeerAuthentication cannot"
                + " have port-level mTLS)"),
        invalid(
            "portLevelMtls requires selector labels",
            pa("selector: {}\n  portLevelMtls:\n    8080:\n      mode: DISABLE"),
            "document 2 (PeerAuthentication default/strict): spec.portLevelMtls: requires"
                + " spec.selector.matchLabels (mesh- and namespace-wide PeerAuthentication cannot"
                + " have port-level mTLS)"),
        invalid(
            "portLevelMtls must not be empty",
            pa("selector:\n    matchLabels:\n      app: a\n  portLevelMtls: {}"),
            "document 2 (PeerAuthentication default/strict): spec.portLevelMtls: must have at"
                + " least one port when set"),
        invalid(
            "port 0 is not a port",
            withPorts("0:\n      mode: DISABLE"),
            "document 2 (PeerAuthentication default/strict): spec.portLevelMtls[0]: port must be"
                + " in range 1..65535"),
        invalid(
            "port 65536 is not a port",
            withPorts("65536:\n      mode: DISABLE"),
            "document 2 (PeerAuthentication default/strict): spec.portLevelMtls[65536]: port must"
                + " be in range 1..65535"),
        invalid(
            "port names are not port numbers",
            withPorts("http:\n      mode: DISABLE"),
            "document 2 (PeerAuthentication default/strict): spec.portLevelMtls[http]: \"http\" is"
                + " not a port number"),
        invalid(
            "a port mode is validated like the workload mode",
            withPorts("8080:\n      mode: NONE"),
            "document 2 (PeerAuthentication default/strict): spec.portLevelMtls[8080].mode:"
                + " \"NONE\" is not one of UNSET, DISABLE, PERMISSIVE, STRICT"),
        invalid(
            "a port entry is a mapping",
            withPorts("8080: DISABLE"),
            "document 2 (PeerAuthentication default/strict): spec.portLevelMtls[8080]: must be a"
                + " mapping, got the string \"DISABLE\""),
        invalid(
            "label values are strings",
            pa("selector:\n    matchLabels:\n      canary: true"),
            "document 2 (PeerAuthentication default/strict): spec.selector.matchLabels[canary]:"
                + " must be a string, got the boolean true (quote it)"),
        invalid(
            "label selectors have no wildcards",
            pa("selector:\n    matchLabels:\n      app: rev*"),
            "document 2 (PeerAuthentication default/strict): spec.selector.matchLabels[app]:"
                + " wildcard is not supported in selector labels"),
        invalid(
            "camelCase and snake_case spellings of one field conflict",
            withPorts(
                "8080:\n      mode: DISABLE\n  port_level_mtls:\n    9090:\n      mode: STRICT"),
            "document 2 (PeerAuthentication default/strict): spec.port_level_mtls: duplicates"
                + " spec.portLevelMtls"),
        invalid(
            "a known kind with another kind's apiVersion is an error",
            STRICT_IN_DEFAULT.replace("security.istio.io/v1", "networking.istio.io/v1"),
            "document 2: apiVersion: \"networking.istio.io/v1\" is not valid for"
                + " PeerAuthentication; expected one of security.istio.io/v1,"
                + " security.istio.io/v1beta1"),
        invalid(
            "an unknown apiVersion of a known kind is an error",
            "apiVersion: networking.istio.io/v2\n"
                + "kind: VirtualService\n"
                + "metadata:\n"
                + "  name: r\n"
                + "spec: {}",
            "document 2: apiVersion: \"networking.istio.io/v2\" is not valid for VirtualService;"
                + " expected one of networking.istio.io/v1, networking.istio.io/v1beta1,"
                + " networking.istio.io/v1alpha3"),
        invalid(
            "an unknown kind in an Istio group is an error",
            STRICT_IN_DEFAULT.replace("kind: PeerAuthentication", "kind: PeerAuthentications"),
            "document 2: kind: unknown Istio kind \"PeerAuthentications\" in security.istio.io"),
        invalid(
            "apiVersion is required",
            "kind: PeerAuthentication\nmetadata:\n  name: a\nspec: {}",
            "document 2: apiVersion: is required"),
        invalid(
            "metadata.name is required",
            STRICT_IN_DEFAULT.replace("  name: strict\n", "  labels: {}\n"),
            "document 2 (PeerAuthentication): metadata.name: is required"),
        invalid(
            "metadata.name is a DNS-1123 name",
            STRICT_IN_DEFAULT.replace("name: strict", "name: Strict_Mode"),
            "document 2 (PeerAuthentication default/Strict_Mode): metadata.name: \"Strict_Mode\""
                + " is not a valid name: lower-case letters, digits, '-' and '.', starting and"
                + " ending with a letter or digit, at most 253 characters"),
        invalid(
            "metadata.namespace is a DNS-1123 label",
            STRICT_IN_DEFAULT.replace("name: strict", "name: strict\n  namespace: a.b"),
            "document 2 (PeerAuthentication a.b/strict): metadata.namespace: \"a.b\" is not a valid"
                + " namespace: lower-case letters, digits and '-', starting and ending with a"
                + " letter or digit, at most 63 characters"),
        invalid(
            "spec is required",
            "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata:\n  name: a",
            "document 2 (AuthorizationPolicy default/a): spec: is required (use spec: {} for an"
                + " empty spec)"),
        invalid(
            "spec is a mapping",
            "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: a\n"
                + "spec:\n- hosts: [a]",
            "document 2 (VirtualService default/a): spec: must be a mapping, got a list"),
        invalid(
            "a document is a mapping",
            "- apiVersion: v1",
            "document 2: expected a Kubernetes object (a mapping with apiVersion, kind, metadata"
                + " and spec), got a list"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidDocuments")
  void rejectsInvalidDocumentNamingTheField(String rule, String secondDocument, String message) {
    String yaml = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n---\n" + secondDocument;

    PolicyException e =
        assertThrows(PolicyException.class, () -> PolicyDocuments.parseYaml(yaml, "default", null));

    assertEquals(message, e.getMessage());
  }

  @Test
  void prefixesErrorsWithTheSourceName() {
    PolicyException e =
        assertThrows(
            PolicyException.class,
            () -> PolicyDocuments.parseYaml(pa("mtls:\n    mode: X"), "default", "mtls.yaml"));

    assertEquals(
        "mtls.yaml: document 1 (PeerAuthentication default/strict): spec.mtls.mode: \"X\" is not"
            + " one of UNSET, DISABLE, PERMISSIVE, STRICT",
        e.getMessage());
  }

  @Test
  void reportsYamlSyntaxErrorsWithDocumentLineAndColumn() {
    String yaml = STRICT_IN_DEFAULT + "---\n---\napiVersion: v1\nkind: [Service\n";

    PolicyException e =
        assertThrows(
            PolicyException.class, () -> PolicyDocuments.parseYaml(yaml, "default", "a.yaml"));

    assertEquals(
        "a.yaml: document 3: line 11, column 15: invalid YAML: while parsing a flow sequence:"
            + " expected ',' or ']', but got <stream end>",
        e.getMessage());
  }

  @Test
  void reportsDuplicateKeys() {
    String yaml = STRICT_IN_DEFAULT + "  mtls:\n    mode: DISABLE\n";

    PolicyException e =
        assertThrows(PolicyException.class, () -> PolicyDocuments.parseYaml(yaml, "default", null));

    assertEquals(
        "document 1: line 8, column 7: invalid YAML: Duplicate field 'mtls'", e.getMessage());
  }

  @Test
  void oneInvalidDocumentRejectsTheWholeInput() {
    String yaml = STRICT_IN_DEFAULT + "---\n" + STRICT_IN_DEFAULT.replace("STRICT", "NOPE");

    assertThrows(PolicyException.class, () -> PolicyDocuments.parseYaml(yaml, "default", null));
  }

  @Test
  void acceptsSnakeCaseAliasesAsIstioJsonpbDoes() throws PolicyException {
    String yaml =
        pa(
            "selector:\n    match_labels:\n      app: reviews\n  port_level_mtls:\n"
                + "    8080:\n      mode: DISABLE");

    PeerAuthentication policy =
        PolicyDocuments.peerAuthentication(
            PolicyDocuments.parseYaml(yaml, "default", null).resources().get(0));

    assertEquals(Map.of("app", "reviews"), policy.selector());
    assertEquals(Map.of(8080, MtlsMode.DISABLE), policy.portLevelMtls());
  }

  @Test
  void typedViewCarriesSelectorModePortsAndCreationOrder() throws PolicyException {
    Map<String, Object> spec =
        Map.of(
            "selector", Map.of("matchLabels", Map.of("app", "reviews")),
            "mtls", Map.of("mode", "STRICT"),
            "portLevelMtls", Map.of("8080", Map.of("mode", "PERMISSIVE"), "9090", Map.of()));
    PolicyResource resource =
        new PolicyResource(
            "security.istio.io/v1beta1", "PeerAuthentication", "foo", "r", 7, 9, spec);

    assertEquals(
        new PeerAuthentication(
            "foo",
            "r",
            7,
            Map.of("app", "reviews"),
            MtlsMode.STRICT,
            Map.of(8080, MtlsMode.PERMISSIVE, 9090, MtlsMode.UNSET)),
        PolicyDocuments.peerAuthentication(resource));
  }

  @Test
  void typedViewDistinguishesNoSelectorFromAnEmptyOne() throws PolicyException {
    PeerAuthentication noSelector = typed(Map.of());
    PeerAuthentication emptySelector = typed(Map.of("selector", Map.of()));

    assertNull(noSelector.selector());
    assertEquals(MtlsMode.UNSET, noSelector.mode());
    assertEquals(Map.of(), emptySelector.selector());
  }

  @Test
  void typedViewValidatesAgainWithTheResourceAsLabel() {
    PolicyResource resource =
        new PolicyResource(
            "security.istio.io/v1",
            "PeerAuthentication",
            "foo",
            "bad",
            1,
            1,
            Map.of("mtls", Map.of("mode", "strict")));

    PolicyException e =
        assertThrows(PolicyException.class, () -> PolicyDocuments.peerAuthentication(resource));

    assertEquals(
        "PeerAuthentication foo/bad: spec.mtls.mode: \"strict\" is not one of UNSET, DISABLE,"
            + " PERMISSIVE, STRICT",
        e.getMessage());
  }

  @Test
  void typedViewRejectsOtherKinds() {
    PolicyResource resource =
        new PolicyResource(
            "security.istio.io/v1", "AuthorizationPolicy", "foo", "a", 1, 1, Map.of());

    PolicyException e =
        assertThrows(PolicyException.class, () -> PolicyDocuments.peerAuthentication(resource));

    assertEquals("AuthorizationPolicy foo/a: kind: is not PeerAuthentication", e.getMessage());
  }

  @Test
  void writesKubernetesStyleYaml() {
    PolicyResource resource =
        new PolicyResource(
            "security.istio.io/v1",
            "PeerAuthentication",
            "foo",
            "reviews",
            3,
            12,
            Map.of(
                "selector", Map.of("matchLabels", Map.of("version", "1")),
                "portLevelMtls", Map.of("8080", Map.of("mode", "DISABLE"))));

    String yaml = PolicyDocuments.toYaml(resource);

    assertEquals(
        """
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata:
          name: reviews
          namespace: foo
          resourceVersion: "12"
        spec:
        """,
        yaml.substring(0, yaml.indexOf("spec:") + 6));
  }

  @Test
  void toYamlRoundTripsThroughParseYaml() throws PolicyException {
    String yaml =
        pa(
            "selector:\n    matchLabels:\n      version: \"1\"\n      canary: \"true\"\n"
                + "      a: \"yes\"\n      b: \"on\"\n      c: \"null\"\n      d: \"~\"\n"
                + "      e: \"08\"\n      f: \"1e3\"\n      g: \"\"\n      h: \"a: b\"\n"
                + "  portLevelMtls:\n    8080:\n      mode: DISABLE\n  mtls: {}");
    PolicyResource parsed = PolicyDocuments.parseYaml(yaml, "default", null).resources().get(0);

    PolicyResource reparsed =
        PolicyDocuments.parseYaml(PolicyDocuments.toYaml(parsed), "other", null).resources().get(0);

    assertEquals(parsed, reparsed);
  }

  @Test
  void parsedSpecIsImmutable() throws PolicyException {
    Map<String, Object> spec =
        PolicyDocuments.parseYaml(STRICT_IN_DEFAULT, "default", null).resources().get(0).spec();

    assertThrows(UnsupportedOperationException.class, () -> spec.put("mtls", null));
    @SuppressWarnings("unchecked")
    Map<String, Object> mtls = (Map<String, Object>) spec.get("mtls");
    assertThrows(UnsupportedOperationException.class, () -> mtls.put("mode", "DISABLE"));
  }

  private static PeerAuthentication typed(Map<String, Object> spec) throws PolicyException {
    return PolicyDocuments.peerAuthentication(
        new PolicyResource("security.istio.io/v1", "PeerAuthentication", "foo", "p", 1, 1, spec));
  }

  /** A PeerAuthentication default/strict whose spec is the given YAML (indented by two). */
  private static String pa(String specBody) {
    return "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n"
        + "  name: strict\nspec:\n  "
        + specBody
        + "\n";
  }

  private static String withPorts(String portsBody) {
    return pa("selector:\n    matchLabels:\n      app: a\n  portLevelMtls:\n    " + portsBody);
  }

  private static Arguments invalid(String rule, String yaml, String message) {
    return Arguments.of(rule, yaml, message);
  }
}
