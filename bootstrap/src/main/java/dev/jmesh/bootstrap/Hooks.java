package dev.jmesh.bootstrap;

import java.net.InetAddress;
import java.net.SocketAddress;

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

  public static void afterBind(
      Object listener, SocketAddress requested, SocketAddress bound, Throwable failure) {
    if (AgentThread.isCurrent() || requested == null) {
      return;
    }
    try {
      inbound.afterBind(listener, requested, bound, failure);
    } catch (Throwable t) {
      failed("afterBind", t);
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

  /** Called by advice whose own code failed (advice suppresses the throwable and reports it here). */
  public static void failed(String where, Throwable t) {
    AgentLog.errorOnce(
        "hook:" + where,
        "agent failure in " + where + "; the application's call proceeds without the mesh",
        t);
  }
}
