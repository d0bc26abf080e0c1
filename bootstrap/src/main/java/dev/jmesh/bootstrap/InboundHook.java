package dev.jmesh.bootstrap;

import java.net.SocketAddress;

/**
 * What the agent does when the application binds a server socket. Implemented by the agent; called
 * only through {@link Hooks}.
 */
public interface InboundHook {

  /**
   * Called before the application binds {@code listener} (a {@code ServerSocketChannel} or a
   * {@code ServerSocket}) to {@code requested}. Returns the address the application should bind
   * instead (the agent then serves {@code requested} itself), or {@code requested} to leave it alone.
   */
  SocketAddress beforeBind(Object listener, SocketAddress requested);

  /**
   * Called after the application's bind returned or threw. {@code bound} is the address the
   * application's listener really has (null if the bind failed); {@code failure} is what it threw.
   */
  void afterBind(Object listener, SocketAddress requested, SocketAddress bound, Throwable failure);

  InboundHook NONE =
      new InboundHook() {
        @Override
        public SocketAddress beforeBind(Object listener, SocketAddress requested) {
          return requested;
        }

        @Override
        public void afterBind(
            Object listener, SocketAddress requested, SocketAddress bound, Throwable failure) {}
      };
}
