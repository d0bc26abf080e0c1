package dev.jmesh.instrumentation.netty;

import dev.jmesh.instrumentation.tooling.Installer;
import java.util.List;
import net.bytebuddy.agent.ByteBuddyAgent;

/**
 * The Netty module installed once in the test JVM, by the real installer, for every test class
 * (installing it twice would apply each advice twice).
 */
final class NettyInstrumentation {

  private static Installer installer;

  private NettyInstrumentation() {}

  static synchronized Installer installOnce() {
    if (installer == null) {
      installer = new Installer(ByteBuddyAgent.install(), NettyInstrumentation.class.getClassLoader());
      installer.install(List.of(new NettyModule()));
    }
    return installer;
  }
}
