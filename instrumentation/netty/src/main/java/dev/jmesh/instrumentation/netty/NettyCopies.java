package dev.jmesh.instrumentation.netty;

import static net.bytebuddy.matcher.ElementMatchers.nameEndsWith;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.not;

import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Netty classes in the application's Netty or in a copy relocated into another library (gRPC's
 * {@code io.grpc.netty.shaded.io.netty…}: the package ends the same), never in the agent's own
 * relocated copy. The name is given without Netty's package prefix, so that relocating the agent's
 * Netty when its jar is built leaves the string alone.
 */
final class NettyCopies {

  private NettyCopies() {}

  /** @param nameAfterNetty e.g. {@code channel.epoll.EpollServerSocketChannel} */
  static ElementMatcher.Junction<TypeDescription> anyCopyOf(String nameAfterNetty) {
    return nameEndsWith(".netty." + nameAfterNetty).and(not(nameStartsWith("dev.jmesh.")));
  }
}
