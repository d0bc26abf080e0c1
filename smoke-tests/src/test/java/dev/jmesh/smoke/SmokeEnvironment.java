package dev.jmesh.smoke;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Where the smoke tests find what they run: the built jars (resolved relative to this module, as
 * in a checkout), the sample apps and their libraries, and the JDKs that run the apps.
 */
final class SmokeEnvironment {

  private SmokeEnvironment() {}

  /** The smoke-tests module directory (Surefire sets {@code basedir}). */
  /** Closes each of {@code resources} that is set, in order, going on past failures. */
  static void closeAll(AutoCloseable... resources) {
    for (AutoCloseable resource : resources) {
      try {
        if (resource != null) {
          resource.close();
        }
      } catch (Exception ignored) {
        // keep closing the rest
      }
    }
  }

  static Path moduleDir() {
    return Paths.get(System.getProperty("basedir", System.getProperty("user.dir")))
        .toAbsolutePath()
        .normalize();
  }

  static Path agentJar() {
    return requireBuilt(moduleDir().resolve("../agent/target/jmesh-agent.jar"));
  }

  static Path controlServerJar() {
    return requireBuilt(moduleDir().resolve("../control-server/target/jmesh-control-server.jar"));
  }

  static Path sampleAppsJar() {
    return requireBuilt(moduleDir().resolve("target/jmesh-sample-apps.jar"));
  }

  /** Class path of the JDK-server and Jetty sample apps. */
  static String sampleClassPath() {
    return sampleAppsJar() + java.io.File.pathSeparator + libsGlob("target/sample-libs");
  }

  /** Class path of {@code IsolationApp}: its own Netty, Jackson and Bouncy Castle. */
  static String isolationClassPath() {
    return sampleAppsJar() + java.io.File.pathSeparator + libsGlob("target/isolation-libs");
  }

  private static String libsGlob(String dir) {
    Path libs = requireBuilt(moduleDir().resolve(dir));
    return libs + java.io.File.separator + "*";
  }

  /** The java launcher of the JDK running the tests (the one running Maven, JDK 17). */
  static Path defaultJava() {
    return Paths.get(System.getProperty("java.home"), "bin", "java");
  }

  /** A tool of the JDK running the tests, such as keytool. */
  static Path jdkTool(String name) {
    return Paths.get(System.getProperty("java.home"), "bin", name);
  }

  /** The JDK 25 launcher; the test is skipped (with the reason) where that JDK is not installed. */
  static Path jdk25Java() {
    String home = System.getProperty("jmesh.test.jdk25", "/usr/lib/jvm/temurin-25-jdk-amd64");
    Path java = Paths.get(home, "bin", "java");
    assumeTrue(
        Files.isExecutable(java),
        "JDK 25 not found at " + java + " (set -Djmesh.test.jdk25=<JDK 25 home> to run this test)");
    return java;
  }

  private static Path logsDir;

  /** Where process output and temporary files go: target/smoke-logs/<start time of this run>/. */
  static synchronized Path logsDir() {
    if (logsDir == null) {
      String run = java.time.LocalDateTime.now().withNano(0).toString().replace(':', '-');
      logsDir = moduleDir().resolve("target/smoke-logs").resolve(run);
      try {
        Files.createDirectories(logsDir);
      } catch (IOException e) {
        throw new IllegalStateException("cannot create " + logsDir, e);
      }
    }
    return logsDir;
  }

  private static Path requireBuilt(Path path) {
    Path normalized = path.normalize();
    if (!Files.exists(normalized)) {
      fail(normalized + " is missing: run `mvn package -DskipTests` at the project root first");
    }
    return normalized;
  }
}
