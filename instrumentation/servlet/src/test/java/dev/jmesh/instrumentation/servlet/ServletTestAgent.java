package dev.jmesh.instrumentation.servlet;

import dev.jmesh.instrumentation.tooling.Installer;
import java.util.List;
import net.bytebuddy.agent.ByteBuddyAgent;

/** Installs the servlet module once in this JVM, with the real installer, for every test class. */
final class ServletTestAgent {

  private static Installer installer;

  private ServletTestAgent() {}

  static synchronized Installer install() {
    if (installer == null) {
      installer = new Installer(ByteBuddyAgent.install(), ServletTestAgent.class.getClassLoader());
      installer.install(List.of(new ServletModule()));
    }
    return installer;
  }
}
