package dev.jmesh.agent;

import java.io.File;
import java.lang.instrument.Instrumentation;
import java.net.URL;
import java.util.jar.JarFile;

/**
 * The {@code Premain-Class} of {@code jmesh-agent.jar}, the only agent class an application's
 * class loader ever loads. It does almost nothing: puts the bootstrap hooks on the boot class path,
 * makes the agent's own class loader for everything under {@code inst/}, and hands over to {@code
 * AgentStarter} there. It refers to no other jmesh class by type, so that the application class
 * loader never defines a copy of one.
 */
public final class JmeshAgent {

  private JmeshAgent() {}

  public static void premain(String agentArgs, Instrumentation instrumentation) {
    start(agentArgs, instrumentation);
  }

  public static void agentmain(String agentArgs, Instrumentation instrumentation) {
    start(agentArgs, instrumentation);
  }

  private static void start(String agentArgs, Instrumentation instrumentation) {
    try {
      if (disabled(agentArgs)) {
        return;
      }
      File jar = agentJar();
      JarFile jarFile = new JarFile(jar, false);
      if (!hooksOnBootClassPath()) {
        instrumentation.appendToBootstrapClassLoaderSearch(jarFile);
      }
      ClassLoader agentLoader =
          (ClassLoader)
              Class.forName("dev.jmesh.bootstrap.AgentClassLoader", true, null)
                  .getConstructor(JarFile.class, URL.class)
                  .newInstance(jarFile, jar.toURI().toURL());
      agentLoader
          .loadClass("dev.jmesh.agent.AgentStarter")
          .getMethod("start", Instrumentation.class, String.class, ClassLoader.class)
          .invoke(null, instrumentation, agentArgs, agentLoader);
    } catch (Throwable t) {
      Throwable cause = t instanceof java.lang.reflect.InvocationTargetException ? t.getCause() : t;
      System.err.println(
          "[jmesh] ERROR the agent could not start; the application runs without the mesh: "
              + cause);
    }
  }

  /**
   * The jar this class came from. The premain class may be defined by the boot loader (it is on the
   * Boot-Class-Path too), which has no code source, so ask for the class file's own URL.
   */
  private static File agentJar() throws Exception {
    String url = String.valueOf(JmeshAgent.class.getResource("JmeshAgent.class"));
    int separator = url.indexOf("!/");
    if (!url.startsWith("jar:") || separator < 0) {
      throw new IllegalStateException("the agent is not running from a jar: " + url);
    }
    return new File(new java.net.URI(url.substring("jar:".length(), separator)));
  }

  /** True when the JVM already appended the jar through the manifest's {@code Boot-Class-Path}. */
  private static boolean hooksOnBootClassPath() {
    try {
      Class.forName("dev.jmesh.bootstrap.Hooks", false, null);
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  /** {@code jmesh.enabled=false} (property, {@code JMESH_ENABLED} or agent argument) turns jmesh off. */
  static boolean disabled(String agentArgs) {
    String value = System.getProperty("jmesh.enabled");
    if (value == null) {
      value = System.getenv("JMESH_ENABLED");
    }
    if (agentArgs != null) {
      for (String pair : agentArgs.split(",")) {
        String trimmed = pair.trim();
        if (trimmed.startsWith("jmesh.enabled=") || trimmed.startsWith("enabled=")) {
          value = trimmed.substring(trimmed.indexOf('=') + 1);
        }
      }
    }
    return value != null && value.trim().equalsIgnoreCase("false");
  }
}
