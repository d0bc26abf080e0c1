package dev.jmesh.control.cli;

import picocli.CommandLine.Option;

/** The options {@code stats} and {@code graph} share: the window to look at and the output form. */
final class SignalOptions {

  @Option(
      names = {"-w", "--window"},
      paramLabel = "DURATION",
      defaultValue = "1m",
      description = "How far back to look, 10s to 5m (default ${DEFAULT-VALUE}).")
  String window;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "json",
      description = "Print the API's JSON answer instead of text.")
  String output;

  /** Whether to print JSON; refuses any other output form. */
  boolean json() throws ClientException {
    if (output != null && !output.equals("json")) {
      throw new ClientException("--output must be json, got '" + output + "'");
    }
    return output != null;
  }

  /** {@code window=<window>}, for the query string. */
  String windowQuery() {
    return "window=" + Paths.query(window);
  }
}
