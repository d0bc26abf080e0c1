package dev.jmesh.agent;

import dev.jmesh.agent.config.AgentConfig;
import dev.jmesh.agent.config.AgentConfigException;
import dev.jmesh.agent.runtime.MeshRuntime;
import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.bootstrap.AgentThread;
import dev.jmesh.bootstrap.Hooks;
import dev.jmesh.instrumentation.tooling.Installer;
import dev.jmesh.instrumentation.tooling.InstrumentationModule;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;

/**
 * Starts the mesh inside the application's JVM, in the agent's own class loader: the runtime
 * (which reaches the control plane on its own threads and returns at once), the hooks the advice
 * calls, and the instrumentations, which must be in place before the application's {@code main}
 * binds or connects anything. Settings that make no sense leave the application un-meshed, with
 * one line saying which setting is wrong.
 */
public final class AgentStarter {

  private AgentStarter() {}

  public static void start(
      Instrumentation instrumentation, String agentArgs, ClassLoader agentLoader) {
    long started = System.nanoTime();
    AgentConfig config;
    try {
      config = AgentConfig.load(agentArgs);
    } catch (AgentConfigException e) {
      AgentLog.error(e.getMessage() + "; the application runs without the mesh", null);
      return;
    }
    keepNettyOffUnsafe();
    keepNettyChunksSmall();
    // The runtime (Netty, TLS, the control session) and the instrumentation (ByteBuddy) each load
    // a few hundred classes: start them side by side, since premain's time is the app's start-up.
    CompletableFuture<MeshRuntime> runtime = new CompletableFuture<>();
    new AgentThread(
            () -> {
              try {
                runtime.complete(MeshRuntime.start(config));
              } catch (Throwable t) {
                runtime.completeExceptionally(t);
              }
            },
            "runtime-start")
        .start();
    List<InstrumentationModule> modules = new ArrayList<>();
    for (InstrumentationModule module :
        ServiceLoader.load(InstrumentationModule.class, agentLoader)) {
      if (enabled(module)) {
        modules.add(module);
      }
    }
    Installer installer = new Installer(instrumentation, agentLoader);
    installer.install(modules);
    MeshRuntime mesh = runtime.join();
    if (mesh == null) {
      return;
    }
    mesh.reportInstrumentedTypes(installer::instrumentedTypes);
    if (FaultInjection.requested()) {
      Hooks.install(FaultInjection.failingInbound(), FaultInjection.failingOutbound());
    } else {
      Hooks.install(mesh.inboundHook(), mesh.outboundHook());
    }
    AgentLog.debug(
        "agent started in " + (System.nanoTime() - started) / 1_000_000 + " ms ("
            + modules.size() + " instrumentation modules)");
  }

  /**
   * On JDK 24 and later the JVM prints warnings when {@code sun.misc.Unsafe} memory methods are
   * used, so the agent's Netty does without them there. The property name is relocated with Netty
   * ({@code dev.jmesh.shaded.io.netty.noUnsafe}), so the application's own Netty is unaffected.
   */
  private static void keepNettyOffUnsafe() {
    if (Runtime.version().feature() >= 24 && System.getProperty("io.netty.noUnsafe") == null) {
      System.setProperty("io.netty.noUnsafe", "true");
    }
  }

  /**
   * Netty's pooled allocator gives each event-loop thread an arena and each arena 4 MB chunks; the
   * agent's relays use buffers of at most tens of KB, so 1 MB chunks (maxOrder 7) serve them as well
   * and keep ~13 MB less of the application's memory resident (idle RSS, benchmarks/README.md).
   * Relocated like the property above; a value the user set wins.
   */
  private static void keepNettyChunksSmall() {
    if (System.getProperty("io.netty.allocator.maxOrder") == null) {
      System.setProperty("io.netty.allocator.maxOrder", "7");
    }
  }

  /** {@code jmesh.instrumentation.<name>.enabled=false} turns one instrumentation module off. */
  private static boolean enabled(InstrumentationModule module) {
    String value =
        AgentLog.setting(
            "jmesh.instrumentation." + module.name() + ".enabled",
            "JMESH_INSTRUMENTATION_"
                + module.name().toUpperCase(Locale.ROOT).replace('-', '_')
                + "_ENABLED");
    return !"false".equalsIgnoreCase(value);
  }
}
