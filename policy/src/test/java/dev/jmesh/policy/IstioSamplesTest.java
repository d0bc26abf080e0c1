package dev.jmesh.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.jmesh.api.PolicyResource;
import dev.jmesh.policy.PolicyDocuments.ParseResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Istio's own sample files ({@code shared/testdata/istio}, beside the repository) load as {@code
 * kubectl apply} would load them, with the kinds and names they declare.
 */
class IstioSamplesTest {

  /** Every sample file and the kind/name of each document in it, in order. */
  private static final Map<String, List<String>> EXPECTED_DOCUMENTS =
      Map.of(
          "destination-rule-all-mtls.yaml",
              List.of(
                  "DestinationRule/productpage",
                  "DestinationRule/reviews",
                  "DestinationRule/ratings",
                  "DestinationRule/details"),
          "egress-rule-google-apis.yaml", List.of("ServiceEntry/googleapis"),
          "fault-injection-details-v1.yaml",
              List.of("VirtualService/details", "DestinationRule/details"),
          "security-v1-AuthorizationPolicy.yaml",
              List.of("AuthorizationPolicy/authorization-policy"),
          "virtual-service-ratings-test-delay.yaml", List.of("VirtualService/ratings"),
          "virtual-service-reviews-80-20.yaml", List.of("VirtualService/reviews"),
          "virtual-service-reviews-jason-v2-v3.yaml", List.of("VirtualService/reviews"));

  static Stream<String> sampleFiles() throws IOException {
    try (Stream<Path> files = Files.list(samplesDirectory())) {
      return files
          .map(file -> file.getFileName().toString())
          .filter(name -> name.endsWith(".yaml"))
          .sorted()
          .toList()
          .stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sampleFiles")
  void loadsSampleWithItsKinds(String fileName) throws IOException, PolicyException {
    List<String> expected = EXPECTED_DOCUMENTS.get(fileName);
    assertNotNull(expected, "new sample " + fileName + ": add its kinds to EXPECTED_DOCUMENTS");
    String yaml = Files.readString(samplesDirectory().resolve(fileName));

    ParseResult result = PolicyDocuments.parseYaml(yaml, "default", fileName);

    assertEquals(
        expected, result.resources().stream().map(r -> r.kind() + "/" + r.name()).toList());
    assertEquals(List.of(), result.skipped());
    for (PolicyResource resource : result.resources()) {
      assertEquals("default", resource.namespace());
      String written = PolicyDocuments.toYaml(resource);
      assertEquals(
          List.of(resource),
          PolicyDocuments.parseYaml(written, "elsewhere", null).resources(),
          () -> "toYaml must round-trip:\n" + written);
    }
  }

  @Test
  void everyExpectedSampleIsPresent() throws IOException {
    assertEquals(EXPECTED_DOCUMENTS.keySet().stream().sorted().toList(), sampleFiles().toList());
  }

  @Test
  void authorizationPolicySampleKeepsItsSpec() throws IOException, PolicyException {
    String yaml =
        Files.readString(samplesDirectory().resolve("security-v1-AuthorizationPolicy.yaml"));

    PolicyResource policy = PolicyDocuments.parseYaml(yaml, "default", null).resources().get(0);

    assertEquals("security.istio.io/v1", policy.apiVersion());
    assertEquals(
        Map.of("matchLabels", Map.of("app", "httpbin", "version", "v1")),
        policy.spec().get("selector"));
  }

  /**
   * {@code shared/testdata/istio} in the nearest ancestor of the working directory (the module
   * directory under Maven) that has it: {@code ../../shared} when {@code shared/} sits beside the
   * repository, wherever the repository is cloned.
   */
  static Path samplesDirectory() {
    for (Path dir = Paths.get("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path samples = dir.resolve("shared/testdata/istio");
      if (Files.isDirectory(samples)) {
        return samples;
      }
    }
    throw new IllegalStateException(
        "shared/testdata/istio not found above "
            + Paths.get("").toAbsolutePath()
            + "; clone the shared/ directory beside the repository");
  }
}
