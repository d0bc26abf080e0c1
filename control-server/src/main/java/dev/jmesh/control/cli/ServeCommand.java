package dev.jmesh.control.cli;

import dev.jmesh.control.ControlServer;
import dev.jmesh.control.ServerSettings;
import dev.jmesh.control.ca.CaException;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code serve}: run the control server until the process is stopped. */
@Command(
    name = "serve",
    description = "Run the control server (CA, registry, policy store, agent and operator API).",
    mixinStandardHelpOptions = true)
final class ServeCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      defaultValue = "jmesh-data",
      description =
          "Where the CA, admin token, join tokens and policies live (default ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(
      names = "--bind",
      paramLabel = "ADDRESS",
      defaultValue = "127.0.0.1",
      description = "Address to listen on (default ${DEFAULT-VALUE}).")
  String bind;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      defaultValue = "15012",
      description = "HTTPS port for agents and operators (default ${DEFAULT-VALUE}; 0 for any).")
  int port;

  @Option(
      names = "--trust-domain",
      paramLabel = "DOMAIN",
      defaultValue = "cluster.local",
      description = "SPIFFE trust domain of workload identities (default ${DEFAULT-VALUE}).")
  String trustDomain;

  @Option(
      names = "--cert-ttl",
      paramLabel = "DURATION",
      defaultValue = "24h",
      converter = GoDurations.class,
      description = "Longest workload certificate lifetime (default ${DEFAULT-VALUE}).")
  Duration certTtl;

  @Option(
      names = "--heartbeat-interval",
      paramLabel = "DURATION",
      defaultValue = "5s",
      converter = GoDurations.class,
      description =
          "How often agents heartbeat; instances expire after 3 missed (default"
              + " ${DEFAULT-VALUE}).")
  Duration heartbeatInterval;

  @Option(
      names = "--ca-cert",
      paramLabel = "FILE",
      description = "Bring your own CA: its PEM certificate (with --ca-key).")
  Path caCert;

  @Option(
      names = "--ca-key",
      paramLabel = "FILE",
      description = "Bring your own CA: its unencrypted PEM private key (with --ca-cert).")
  Path caKey;

  @Option(
      names = "--san",
      paramLabel = "NAME",
      split = ",",
      description = "Extra DNS name or IP for the server certificate (repeatable).")
  List<String> extraSans = new ArrayList<>();

  @Override
  public Integer call() throws InterruptedException {
    if (certTtl.isNegative()
        || certTtl.isZero()
        || heartbeatInterval.isNegative()
        || heartbeatInterval.isZero()) {
      spec.commandLine()
          .getErr()
          .println(
              "jmesh control server did not start: --cert-ttl and --heartbeat-interval must be"
                  + " positive");
      return 2;
    }
    ServerSettings settings =
        new ServerSettings(
            dataDir,
            bind,
            port,
            trustDomain,
            certTtl,
            heartbeatInterval,
            caCert,
            caKey,
            List.copyOf(extraSans),
            Clock.systemUTC());
    ControlServer server;
    try {
      server = ControlServer.start(settings);
    } catch (CaException | IOException | GeneralSecurityException e) {
      spec.commandLine().getErr().println("jmesh control server did not start: " + e.getMessage());
      spec.commandLine().getErr().flush();
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                },
                "jmesh-control-shutdown"));
    System.out.println(
        "jmesh control server ready on "
            + server.url()
            + " (CA sha256 "
            + server.authority().sha256()
            + ")");
    System.out.flush();
    stopped.await();
    return 0;
  }
}
