package dev.jmesh.control.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jmesh.control.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code token create}: join tokens for agents. */
@Command(
    name = "token",
    description = "Manage join tokens for agents.",
    mixinStandardHelpOptions = true,
    subcommands = TokenCommand.Create.class)
final class TokenCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "a subcommand is required: token create");
  }

  @Command(
      name = "create",
      description = "Make a join token and print it (only the token, on stdout).",
      mixinStandardHelpOptions = true)
  static final class Create extends ClientCommand {

    @Option(
        names = {"--namespace", "-n"},
        required = true,
        paramLabel = "NS",
        description = "Namespace the token lets agents join.")
    String namespace;

    @Option(
        names = "--service",
        paramLabel = "S",
        description = "Only this service (default: any service in the namespace).")
    String service;

    @Option(
        names = "--ttl",
        paramLabel = "DURATION",
        defaultValue = "24h",
        converter = GoDurations.class,
        description = "How long the token is valid, Go syntax (default ${DEFAULT-VALUE}).")
    Duration ttl;

    @Override
    int run(ControlServerClient client) throws ClientException {
      ObjectNode request = Json.MAPPER.createObjectNode();
      request.put("namespace", namespace);
      request.put("service", service);
      request.put("ttlSeconds", Math.max(1, ttl.toSeconds()));
      JsonNode answer =
          client.post(
              "/v1/tokens",
              request.toString().getBytes(StandardCharsets.UTF_8),
              "application/json");
      out().println(answer.path("token").asText());
      return 0;
    }
  }
}
