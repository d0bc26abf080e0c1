package dev.jmesh.bootstrap;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.nio.channels.NetworkChannel;

/**
 * The single entry point advice calls. The agent installs its hooks here at start-up; until then,
 * and when jmesh is disabled, every call leaves the application's behaviour unchanged.
 *
 * <p>Every method catches {@link Throwable}: a failure inside the agent is logged once and the call
 * proceeds as if the agent were absent. Calls made on the agent's own threads are passed through
 * untouched, so the agent never intercepts its own traffic.
 */
public final class Hooks {

  private static volatile InboundHook inbound = InboundHook.NONE;
  private static volatile OutboundHook outbound = OutboundHook.NONE;

  private Hooks() {}

  public static void install(InboundHook inboundHook, OutboundHook outboundHook) {
    inbound = inboundHook;
    outbound = outboundHook;
  }

  public static SocketAddress beforeBind(Object listener, SocketAddress requested) {
    if (AgentThread.isCurrent() || requested == null) {
      return requested;
    }
    try {
      SocketAddress replacement = inbound.beforeBind(listener, requested);
      return replacement == null ? requested : replacement;
    } catch (Throwable t) {
      failed("beforeBind", t);
      return requested;
    }
  }

  /**
   * Called by advice after the application's bind, only when {@link #beforeBind} replaced the
   * address. {@code listener} is a {@code ServerSocketChannel}, a {@code ServerSocket} or a Netty
   * server channel (native transport).
   */
  public static void afterBind(Object listener, SocketAddress requested, Throwable failure) {
    if (AgentThread.isCurrent() || requested == null) {
      return;
    }
    try {
      SocketAddress bound = failure == null ? boundAddress(listener) : null;
      inbound.afterBind(listener, requested, bound, failure);
    } catch (Throwable t) {
      failed("afterBind", t);
    }
  }

  private static SocketAddress boundAddress(Object listener) throws java.io.IOException {
    if (listener instanceof NetworkChannel) {
      return ((NetworkChannel) listener).getLocalAddress();
    }
    if (listener instanceof ServerSocket) {
      return ((ServerSocket) listener).getLocalSocketAddress();
    }
    return localAddressOf(listener);
  }

  /**
   * A Netty channel's {@code localAddress()}, called by reflection: the bootstrap classes cannot
   * name the application's Netty types. Null when there is no such method.
   */
  private static SocketAddress localAddressOf(Object listener) {
    try {
      Object address = listener.getClass().getMethod("localAddress").invoke(listener);
      return address instanceof SocketAddress ? (SocketAddress) address : null;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  public static InetAddress[] resolve(String host) {
    if (host == null || AgentThread.isCurrent()) {
      return null;
    }
    try {
      return outbound.resolve(host);
    } catch (Throwable t) {
      failed("resolve", t);
      return null;
    }
  }

  public static SocketAddress beforeConnect(SocketAddress target) {
    if (target == null || AgentThread.isCurrent()) {
      return target;
    }
    try {
      SocketAddress replacement = outbound.beforeConnect(target);
      return replacement == null ? target : replacement;
    } catch (Throwable t) {
      failed("beforeConnect", t);
      return target;
    }
  }

  /**
   * Called by the exception handler ByteBuddy inlines around every advice method, when the advice
   * itself failed (for example a missing module read edge): logged once, the call proceeds.
   */
  public static void adviceFailed(Throwable t) {
    failed("advice", t);
  }

  /** Called by advice whose own code failed (advice suppresses the throwable and reports it here). */
  public static void failed(String where, Throwable t) {
    AgentLog.errorOnce(
        "hook:" + where,
        "agent failure in " + where + "; the application's call proceeds without the mesh",
        t);
  }
}
