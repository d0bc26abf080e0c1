package dev.jmesh.instrumentation.tooling;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.bytebuddy.agent.ByteBuddyAgent;

/**
 * An instrumentation module installed in the test JVM once, by the real installer, however many
 * test classes ask for it: installing it twice would apply each advice twice. Shared by the
 * modules' tests through this module's test jar.
 */
public final class InstalledOnce {

  private static final Map<Class<?>, Installer> INSTALLERS = new HashMap<>();

  private InstalledOnce() {}

  /** The installer that applied {@code module}, applying it first if no test has yet. */
  public static synchronized Installer module(InstrumentationModule module) {
    return INSTALLERS.computeIfAbsent(
        module.getClass(),
        type -> {
          Installer installer = new Installer(ByteBuddyAgent.install(), type.getClassLoader());
          installer.install(List.of(module));
          return installer;
        });
  }
}
