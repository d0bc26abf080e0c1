package dev.jmesh.bootstrap;

import java.net.InetAddress;
import java.net.SocketAddress;

/**
 * What the agent does when the application resolves a host name or opens a connection.
 * Implemented by the agent; called only through {@link Hooks}.
 */
public interface OutboundHook {

  /**
   * Addresses for {@code host} if it names a mesh service ({@code orders}, {@code orders.shop},
   * {@code orders.shop.svc.cluster.local}), so that no DNS query leaves the JVM for it; null for any
   * other name (resolution proceeds as usual).
   */
  InetAddress[] resolve(String host);

  /**
   * Called before the application connects to {@code target}. Returns where to connect instead (the
   * agent's egress for a mesh service), or {@code target} itself for anything outside the mesh.
   */
  SocketAddress beforeConnect(SocketAddress target);

  OutboundHook NONE =
      new OutboundHook() {
        @Override
        public InetAddress[] resolve(String host) {
          return null;
        }

        @Override
        public SocketAddress beforeConnect(SocketAddress target) {
          return target;
        }
      };
}
