package dev.jmesh.instrumentation.tooling;

import dev.jmesh.bootstrap.InboundHook;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An inbound hook for the instrumentation modules' tests (shared through this module's test jar):
 * moves the binds of the ports it is told to move, as the agent moves a meshed port, and records
 * where each moved listener ended up. Binds of other ports are left alone.
 */
public final class MovingInboundHook implements InboundHook {

  private final Map<Integer, SocketAddress> moves = new ConcurrentHashMap<>();
  private final Map<Integer, SocketAddress> bound = new ConcurrentHashMap<>();

  /** Binds of {@code port} go to {@code to} from now on. */
  public void move(int port, SocketAddress to) {
    moves.put(port, to);
  }

  /** Where the listener that asked for {@code port} was bound instead; null when none was moved. */
  public SocketAddress boundFor(int port) {
    return bound.get(port);
  }

  @Override
  public SocketAddress beforeBind(Object listener, SocketAddress requested) {
    SocketAddress moved = moves.get(((InetSocketAddress) requested).getPort());
    return moved != null ? moved : requested;
  }

  @Override
  public void afterBind(
      Object listener, SocketAddress requested, SocketAddress where, Throwable failure) {
    if (failure != null) {
      throw new AssertionError("the moved bind of " + requested + " failed", failure);
    }
    bound.put(((InetSocketAddress) requested).getPort(), where);
  }
}
