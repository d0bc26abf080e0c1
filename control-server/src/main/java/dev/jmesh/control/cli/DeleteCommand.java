package dev.jmesh.control.cli;

import dev.jmesh.api.PolicyResource;
import dev.jmesh.policy.PolicyDocuments;
import dev.jmesh.policy.PolicyException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code delete KIND NAME} or {@code delete -f FILE}. */
@Command(
    name = "delete",
    description = "Delete policies by kind and name, or those named in a YAML file.",
    mixinStandardHelpOptions = true)
final class DeleteCommand extends ClientCommand {

  @Parameters(arity = "0..2", paramLabel = "KIND NAME", description = "Kind and name to delete.")
  List<String> kindAndName = new ArrayList<>();

  @Option(
      names = {"-f", "--filename"},
      paramLabel = "FILE",
      description = "Delete every Istio document of this YAML file ('-' for stdin).")
  String file;

  @Option(
      names = {"-n", "--namespace"},
      paramLabel = "NS",
      defaultValue = "default",
      description = "Namespace (default ${DEFAULT-VALUE}).")
  String namespace;

  private record Target(String kind, String namespace, String name) {}

  @Override
  int run(ControlServerClient client) throws ClientException {
    List<Target> targets = new ArrayList<>();
    if (file != null) {
      if (!kindAndName.isEmpty()) {
        throw new ClientException("give either KIND NAME or -f FILE, not both");
      }
      String yaml = new String(PolicyFiles.read(file), StandardCharsets.UTF_8);
      try {
        for (PolicyResource resource :
            PolicyDocuments.parseYaml(yaml, namespace, PolicyFiles.label(file)).resources()) {
          targets.add(new Target(resource.kind(), resource.namespace(), resource.name()));
        }
      } catch (PolicyException e) {
        throw new ClientException(e.getMessage());
      }
    } else if (kindAndName.size() == 2) {
      targets.add(
          new Target(KindNames.canonical(kindAndName.get(0)), namespace, kindAndName.get(1)));
    } else {
      throw new ClientException("delete needs KIND NAME or -f FILE");
    }
    int exitCode = 0;
    for (Target target : targets) {
      try {
        client.delete(
            "/v1/policies/"
                + Paths.segment(target.kind())
                + "/"
                + Paths.segment(target.namespace())
                + "/"
                + Paths.segment(target.name()));
        out().println(KindNames.resourceType(target.kind()) + " \"" + target.name() + "\" deleted");
      } catch (ClientException e) {
        if (e.status() == 0) {
          throw e;
        }
        err().println("error: " + e.getMessage());
        exitCode = 1;
      }
    }
    return exitCode;
  }
}
