package dev.jmesh.instrumentation.tooling;

/**
 * Instrumented by {@link InstallerTest}; nothing may load it before the installer runs, so it is
 * only ever named as a string there.
 */
public final class LateTarget {

  private LateTarget() {}

  public static String name() {
    return "plain";
  }
}
