package dev.jmesh.control.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stats}: golden signals per service over a recent window, from the agents' reports. */
@Command(
    name = "stats",
    description =
        "Show live golden signals per service (request rate, error rate, p50/p95/p99 latency,"
            + " mTLS share) over a recent window, as the agents report them.",
    mixinStandardHelpOptions = true)
final class StatsCommand extends ClientCommand {

  @Option(
      names = {"-w", "--window"},
      paramLabel = "DURATION",
      defaultValue = "1m",
      description = "How far back to look, 10s to 5m (default ${DEFAULT-VALUE}).")
  String window;

  @Option(
      names = {"-s", "--service"},
      paramLabel = "NAME",
      description = "Only this service.")
  String service;

  @Option(
      names = {"-n", "--namespace"},
      paramLabel = "NS",
      description = "Only services in this namespace.")
  String namespace;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "json",
      description = "Print the API's JSON answer instead of a table.")
  String output;

  @Override
  int run(ControlServerClient client) throws ClientException {
    if (output != null && !output.equals("json")) {
      throw new ClientException("--output must be json, got '" + output + "'");
    }
    StringBuilder query =
        new StringBuilder("/v1/stats/services?window=").append(Paths.query(window));
    if (service != null) {
      query.append("&service=").append(Paths.query(service));
    }
    if (namespace != null) {
      query.append("&namespace=").append(Paths.query(namespace));
    }
    JsonNode view = client.get(query.toString());
    if ("json".equals(output)) {
      out().println(view.toPrettyString());
      return 0;
    }
    if (view.path("services").isEmpty()) {
      err().println("No traffic reported in the last " + SignalFormat.window(view) + ".");
      return 0;
    }
    Table table =
        new Table(
            "SERVICE",
            "NAMESPACE",
            "REQUESTS",
            "RPS",
            "ERROR RATE",
            "P50",
            "P95",
            "P99",
            "MTLS",
            "REPORTER");
    for (JsonNode s : view.path("services")) {
      JsonNode signals = s.path("signals");
      table.row(
          s.path("service").asText(),
          s.path("namespace").asText(),
          signals.path("requests").asLong(),
          SignalFormat.rps(signals),
          SignalFormat.errorPercent(signals),
          SignalFormat.millis(signals.path("p50Millis")),
          SignalFormat.millis(signals.path("p95Millis")),
          SignalFormat.millis(signals.path("p99Millis")),
          SignalFormat.mtls(signals),
          s.path("reporter").asText());
    }
    out().println("window " + SignalFormat.window(view));
    table.print(out());
    return 0;
  }
}
