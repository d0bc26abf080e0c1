package dev.jmesh.control.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code apply -f FILE}: store Istio policy YAML, kubectl-style. */
@Command(
    name = "apply",
    description = "Apply Istio policy YAML (multi-document) like kubectl apply.",
    mixinStandardHelpOptions = true)
final class ApplyCommand extends ClientCommand {

  @Option(
      names = {"-f", "--filename"},
      required = true,
      paramLabel = "FILE",
      description = "YAML file to apply ('-' for stdin).")
  String file;

  @Option(
      names = {"-n", "--namespace"},
      paramLabel = "NS",
      defaultValue = "default",
      description = "Namespace of documents without metadata.namespace (default ${DEFAULT-VALUE}).")
  String namespace;

  @Override
  int run(ControlServerClient client) throws ClientException {
    byte[] yaml = PolicyFiles.read(file);
    JsonNode answer;
    try {
      answer =
          client.post(
              "/v1/policies?namespace=" + URLEncoder.encode(namespace, StandardCharsets.UTF_8),
              yaml,
              "application/yaml");
    } catch (ClientException e) {
      throw new ClientException(e.status(), PolicyFiles.label(file) + ": " + e.getMessage());
    }
    for (JsonNode result : answer.path("results")) {
      out()
          .println(
              KindNames.resourceType(result.path("kind").asText())
                  + "/"
                  + result.path("name").asText()
                  + " "
                  + result.path("action").asText());
    }
    for (JsonNode skipped : answer.path("skipped")) {
      out()
          .println(
              skipped.path("kind").asText()
                  + "/"
                  + skipped.path("name").asText("<unnamed>")
                  + " skipped: "
                  + skipped.path("reason").asText());
    }
    return 0;
  }
}
