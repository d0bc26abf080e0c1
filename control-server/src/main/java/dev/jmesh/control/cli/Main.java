package dev.jmesh.control.cli;

import dev.jmesh.control.demo.DemoCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar jmesh-control-server.jar <command>}. */
@Command(
    name = "jmesh-control-server",
    description =
        "The jmesh control plane: run it (serve) and operate it (token, apply, get,"
            + " delete, status, stats, graph), or try it (demo).",
    mixinStandardHelpOptions = true,
    version = "jmesh control server 0.1.0",
    subcommands = {
      ServeCommand.class,
      TokenCommand.class,
      ApplyCommand.class,
      GetCommand.class,
      DeleteCommand.class,
      StatusCommand.class,
      StatsCommand.class,
      GraphCommand.class,
      DemoCommand.class
    })
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line with every subcommand, for {@code main} and for tests. */
  public static CommandLine commandLine() {
    return new CommandLine(new Main());
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }
}
