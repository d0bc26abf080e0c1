package dev.jmesh.control.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code status}: the server, and every instance with its sync state and certificate expiry. */
@Command(
    name = "status",
    description = "Show the control server and its instances: sync state and certificate expiry.",
    mixinStandardHelpOptions = true)
final class StatusCommand extends ClientCommand {

  @Override
  int run(ControlServerClient client) throws ClientException {
    JsonNode status = client.get("/v1/status");
    JsonNode instances = client.get("/v1/instances");
    out()
        .println(
            "control server "
                + clientOptions.server
                + "  version "
                + status.path("version").asLong()
                + "  trust domain "
                + status.path("trustDomain").asText()
                + "  CA sha256 "
                + status.path("caSha256").asText());
    out()
        .println(
            "policies: "
                + status.path("policies").asInt()
                + "  instances: "
                + status.path("instances").asInt());
    if (instances.path("items").isEmpty()) {
      return 0;
    }
    out().println();
    Table table =
        new Table(
            "SERVICE",
            "NAMESPACE",
            "ADDRESS",
            "PORTS",
            "ACKED VERSION",
            "NACK ERROR",
            "CERT EXPIRES",
            "INSTANCE");
    for (JsonNode instance : instances.path("items")) {
      List<String> ports = new ArrayList<>();
      instance.path("ports").forEach(port -> ports.add(port.asText()));
      long notAfter = instance.path("certificateNotAfterEpochMillis").asLong();
      table.row(
          instance.path("service").asText(),
          instance.path("namespace").asText(),
          instance.path("address").asText(),
          ports.isEmpty() ? "-" : String.join(",", ports),
          instance.path("ackedVersion").isNull() ? "-" : instance.path("ackedVersion").asText(),
          instance.path("nackError").isNull() ? "-" : instance.path("nackError").asText(),
          notAfter == 0 ? "-" : Instant.ofEpochMilli(notAfter).truncatedTo(ChronoUnit.SECONDS),
          instance.path("instanceId").asText());
    }
    table.print(out());
    return 0;
  }
}
