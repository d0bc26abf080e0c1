package dev.jmesh.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jmesh.bootstrap.AgentClassLoader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The agent stays invisible only if its jar holds nothing an application class loader could load
 * besides the bootstrap hooks and the premain class: everything else is {@code inst/**.classdata}.
 */
class AgentJarLayoutIT {

  private static JarFile agentJar() throws IOException {
    String path = System.getProperty("jmesh.agent.jar", "target/jmesh-agent.jar");
    return new JarFile(Path.of(path).toFile());
  }

  @Test
  void onlyBootstrapAndPremainAreLoadableClasses() throws IOException {
    try (JarFile jar = agentJar()) {
      List<String> stray =
          jar.stream()
              .map(entry -> entry.getName())
              .filter(name -> !entry(name))
              .collect(Collectors.toList());
      assertEquals(List.of(), stray, "entries outside the allowed layout");
    }
  }

  @Test
  void librariesAreRelocatedUnderTheShadedPackage() throws IOException {
    try (JarFile jar = agentJar()) {
      for (String library : List.of("io/netty/", "com/fasterxml/jackson/",
          "net/bytebuddy/", "io/micrometer/", "io/prometheus/", "org/HdrHistogram/", "io/opentelemetry/")) {
        assertNotNull(
            jar.getEntry("inst/dev/jmesh/shaded/" + library),
            () -> library + " is not relocated under inst/dev/jmesh/shaded/");
        assertTrue(
            jar.stream().noneMatch(entry -> entry.getName().startsWith("inst/" + library)),
            () -> library + " is present unrelocated");
      }
    }
  }

  /**
   * With Bouncy Castle in the jar, Netty instantiates the whole BouncyCastleProvider (~230 classes)
   * when the first TLS context is built, on the way to the first request. The agent reads PEM and
   * writes its CSR with the JDK and needs none of it.
   */
  @Test
  void bouncyCastleIsNotInTheAgentJar() throws IOException {
    try (JarFile jar = agentJar()) {
      assertTrue(
          jar.stream().noneMatch(entry -> entry.getName().contains("org/bouncycastle/")),
          "Bouncy Castle is in the agent jar");
    }
  }

  @Test
  void openTelemetryServiceFilesAreRelocatedAndNameRelocatedProviders() throws IOException {
    try (JarFile jar = agentJar()) {
      for (String service :
          List.of(
              "sdk.common.export.HttpSenderProvider",
              "sdk.common.export.GrpcSenderProvider",
              "sdk.autoconfigure.spi.traces.ConfigurableSpanExporterProvider",
              "sdk.autoconfigure.spi.metrics.ConfigurableMetricExporterProvider",
              "sdk.autoconfigure.spi.ConfigurablePropagatorProvider")) {
        String name = "inst/META-INF/services/dev.jmesh.shaded.io.opentelemetry." + service;
        var entry = jar.getJarEntry(name);
        assertNotNull(entry, name);
        String providers = new String(jar.getInputStream(entry).readAllBytes());
        assertTrue(providers.contains("dev.jmesh."), name + ": " + providers);
        assertTrue(!providers.contains("\nio.opentelemetry") && !providers.startsWith("io."), providers);
      }
    }
  }

  @Test
  void boringSslLibrariesCarryTheNameTheRelocatedNettyLooksFor() throws IOException {
    try (JarFile jar = agentJar()) {
      for (String platform : List.of("linux_x86_64", "linux_aarch_64")) {
        String renamed =
            "inst/META-INF/native/libdev_jmesh_shaded_netty_tcnative_" + platform + ".so";
        assertNotNull(jar.getEntry(renamed), renamed);
      }
      assertTrue(
          jar.stream().noneMatch(entry -> entry.getName().contains("/libnetty_")),
          "a native library kept Netty's unrelocated name, which the shaded Netty never loads");
    }
  }

  /** Loads the relocated Netty from the jar the way the agent does, in its own class loader. */
  @Test
  void theShadedNettyLoadsBoringSslFromTheJar() throws Exception {
    Path path = Path.of(System.getProperty("jmesh.agent.jar", "target/jmesh-agent.jar"));
    try (JarFile jar = new JarFile(path.toFile())) {
      ClassLoader agentLoader = new AgentClassLoader(jar, path.toUri().toURL());
      Class<?> openSsl =
          Class.forName("dev.jmesh.shaded.io.netty.handler.ssl.OpenSsl", true, agentLoader);
      Object cause = openSsl.getMethod("unavailabilityCause").invoke(null);
      assertEquals(null, cause, "BoringSSL did not load from the agent jar");
      assertEquals(true, openSsl.getMethod("isAvailable").invoke(null));
      String version = (String) openSsl.getMethod("versionString").invoke(null);
      assertTrue(version.contains("BoringSSL"), version);
    }
  }

  @Test
  void manifestNamesThePremainClassAndAllowsRetransformation() throws IOException {
    try (JarFile jar = agentJar()) {
      var attributes = jar.getManifest().getMainAttributes();
      assertEquals("dev.jmesh.agent.JmeshAgent", attributes.getValue("Premain-Class"));
      assertEquals("true", attributes.getValue("Can-Retransform-Classes"));
    }
  }

  private static boolean entry(String name) {
    return name.startsWith("dev/jmesh/bootstrap/")
        || name.equals("dev/")
        || name.equals("dev/jmesh/")
        || name.equals("dev/jmesh/agent/")
        || name.equals("dev/jmesh/agent/JmeshAgent.class")
        || name.startsWith("META-INF/")
        || (name.startsWith("inst/") && !name.endsWith(".class"));
  }
}
