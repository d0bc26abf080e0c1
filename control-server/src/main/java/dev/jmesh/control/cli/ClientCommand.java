package dev.jmesh.control.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command that calls the operator API; failures print one line on stderr and exit 1. */
abstract class ClientCommand implements Callable<Integer> {

  @Mixin ClientOptions clientOptions;

  @Spec CommandSpec spec;

  @Override
  public final Integer call() {
    try {
      return run(clientOptions.connect());
    } catch (ClientException e) {
      err().println("error: " + e.getMessage());
      err().flush();
      return 1;
    } finally {
      out().flush();
    }
  }

  abstract int run(ControlServerClient client) throws ClientException;

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }
}
