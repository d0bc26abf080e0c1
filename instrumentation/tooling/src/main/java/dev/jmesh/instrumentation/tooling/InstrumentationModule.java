package dev.jmesh.instrumentation.tooling;

import java.util.List;
import java.util.Set;

/**
 * One instrumented library (and major version). The agent's installer finds every module with
 * {@link java.util.ServiceLoader} and applies its type instrumentations. Modules live in
 * {@code instrumentation/<library>-<version>/}; their advice references only bootstrap and JDK
 * types and is given to the installer by class name, so the agent never loads it itself.
 */
public interface InstrumentationModule {

  /** A short name for logs and for {@code jmesh.instrumentation.<name>.enabled=false}. */
  String name();

  List<TypeInstrumentation> typeInstrumentations();

  /**
   * Names of the JDK modules ({@code java.base}, {@code java.net.http}, …) whose classes this
   * module instruments: they must read the boot loader's unnamed module, where the hooks live.
   */
  default Set<String> jdkModules() {
    return Set.of();
  }
}
