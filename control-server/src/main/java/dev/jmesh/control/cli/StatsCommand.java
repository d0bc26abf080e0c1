package dev.jmesh.control.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
      names = {"-s", "--service"},
      paramLabel = "NAME",
      description = "Only this service.")
  String service;

  @Option(
      names = {"-n", "--namespace"},
      paramLabel = "NS",
      description = "Only services in this namespace.")
  String namespace;

  @Mixin SignalOptions signal;

  @Override
  int run(ControlServerClient client) throws ClientException {
    boolean json = signal.json();
    StringBuilder query =
        new StringBuilder("/v1/stats/services?").append(signal.windowQuery());
    if (service != null) {
      query.append("&service=").append(Paths.query(service));
    }
    if (namespace != null) {
      query.append("&namespace=").append(Paths.query(namespace));
    }
    JsonNode view = client.get(query.toString());
    if (json) {
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
