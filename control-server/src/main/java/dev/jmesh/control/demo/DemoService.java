package dev.jmesh.control.demo;

import java.io.File;
import java.nio.file.Path;
import java.util.List;

/** One sample service of the demo mesh and how to start it with the agent. */
record DemoService(String name, String mainClass, int port, int adminPort) {

  List<String> command(String java, Path agentJar, Path appsJar, String server, String token) {
    Path libs = appsJar.toAbsolutePath().getParent().resolve("sample-libs");
    return List.of(
        java,
        "-Xmx96m",
        "-javaagent:" + agentJar.toAbsolutePath(),
        "-Djmesh.service=" + name,
        "-Djmesh.namespace=default",
        "-Djmesh.labels=app=" + name + ",version=v1",
        "-Djmesh.control=" + server,
        "-Djmesh.token=" + token,
        "-Djmesh.advertise.address=127.0.0.1",
        "-Djmesh.admin.port=" + adminPort,
        "-Dapp.name=" + name,
        "-Dapp.port=" + port,
        "-cp",
        appsJar.toAbsolutePath() + File.pathSeparator + libs + File.separator + "*",
        mainClass);
  }
}
