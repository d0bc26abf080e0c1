package dev.jmesh.control.cli;

import dev.jmesh.control.ca.CaFiles;
import dev.jmesh.control.tokens.AdminToken;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the control server is and how a client command trusts and authenticates to it. */
final class ClientOptions {

  @Option(
      names = "--server",
      paramLabel = "URL",
      defaultValue = "${env:JMESH_SERVER:-https://127.0.0.1:15012}",
      description = "Control server URL (env JMESH_SERVER; default ${DEFAULT-VALUE}).")
  URI server;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      defaultValue = "jmesh-data",
      description =
          "The server's data directory, for admin-token and ca/root-cert.pem (default"
              + " ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(
      names = "--ca-cert",
      paramLabel = "FILE",
      description =
          "CA certificate to verify the server with (default <data-dir>/ca/root-cert.pem).")
  Path caCertificate;

  ControlServerClient connect() throws ClientException {
    Path trust =
        caCertificate != null
            ? caCertificate
            : dataDir.resolve("ca").resolve(CaFiles.ROOT_CERT_FILE);
    return new ControlServerClient(server, trust, adminToken());
  }

  private String adminToken() throws ClientException {
    String fromEnvironment = System.getenv("JMESH_ADMIN_TOKEN");
    if (fromEnvironment != null && !fromEnvironment.isBlank()) {
      return fromEnvironment.trim();
    }
    Path file = dataDir.resolve(AdminToken.FILE);
    try {
      return Files.readString(file, StandardCharsets.US_ASCII).trim();
    } catch (IOException e) {
      throw new ClientException(
          "cannot read the admin token from "
              + file
              + " ("
              + e.getClass().getSimpleName()
              + "); give the server's --data-dir or set JMESH_ADMIN_TOKEN");
    }
  }
}
