package dev.jmesh.control.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.jmesh.api.PolicyResource;
import dev.jmesh.control.Json;
import dev.jmesh.policy.PolicyDocuments;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code get KIND [NAME]}: show stored policies. */
@Command(
    name = "get",
    description = "Show stored policies of a kind (PeerAuthentication, pa, ...).",
    mixinStandardHelpOptions = true)
final class GetCommand extends ClientCommand {

  @Parameters(
      index = "0",
      paramLabel = "KIND",
      description = "Kind, e.g. peerauthentication or pa.")
  String kind;

  @Parameters(index = "1", arity = "0..1", paramLabel = "NAME", description = "One resource.")
  String name;

  @Option(
      names = {"-n", "--namespace"},
      paramLabel = "NS",
      defaultValue = "default",
      description = "Namespace (default ${DEFAULT-VALUE}).")
  String namespace;

  @Option(
      names = {"-A", "--all-namespaces"},
      description = "List across all namespaces.")
  boolean allNamespaces;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "yaml|json",
      description = "Print the resources as YAML or JSON instead of a table.")
  String output;

  @Override
  int run(ControlServerClient client) throws ClientException {
    if (output != null && !output.equals("yaml") && !output.equals("json")) {
      throw new ClientException("--output must be yaml or json, got '" + output + "'");
    }
    String canonicalKind = KindNames.canonical(kind);
    List<PolicyResource> resources = new ArrayList<>();
    JsonNode answer;
    if (name != null) {
      answer =
          client.get(
              "/v1/policies/"
                  + Paths.segment(canonicalKind)
                  + "/"
                  + Paths.segment(namespace)
                  + "/"
                  + Paths.segment(name));
      resources.add(toResource(answer));
    } else {
      String query =
          "?kind="
              + Paths.query(canonicalKind)
              + (allNamespaces ? "" : "&namespace=" + Paths.query(namespace));
      answer = client.get("/v1/policies" + query);
      for (JsonNode item : answer.path("items")) {
        resources.add(toResource(item));
      }
    }
    if ("json".equals(output)) {
      out().println(answer.toPrettyString());
    } else if ("yaml".equals(output)) {
      List<String> documents = resources.stream().map(PolicyDocuments::toYaml).toList();
      out().print(String.join("---\n", documents));
    } else if (resources.isEmpty()) {
      err()
          .println(
              "No resources found" + (allNamespaces ? "." : " in " + namespace + " namespace."));
    } else {
      Table table = new Table("NAMESPACE", "NAME", "KIND", "RESOURCE VERSION");
      for (PolicyResource resource : resources) {
        table.row(
            resource.namespace(), resource.name(), resource.kind(), resource.resourceVersion());
      }
      table.print(out());
    }
    return 0;
  }

  private static PolicyResource toResource(JsonNode node) throws ClientException {
    try {
      return Json.MAPPER.treeToValue(node, PolicyResource.class);
    } catch (JsonProcessingException e) {
      throw new ClientException("the control server sent a policy that cannot be read: " + e);
    }
  }
}
