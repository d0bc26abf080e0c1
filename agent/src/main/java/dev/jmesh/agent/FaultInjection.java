package dev.jmesh.agent;

import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.bootstrap.InboundHook;
import dev.jmesh.bootstrap.OutboundHook;
import java.net.InetAddress;
import java.net.SocketAddress;

/**
 * For tests only: {@code jmesh.test.fault=hooks} makes every hook throw, to prove that a failure
 * inside the agent is logged once and the application's call proceeds as if the agent were absent.
 */
final class FaultInjection {

  private FaultInjection() {}

  static boolean requested() {
    return "hooks".equals(AgentLog.setting("jmesh.test.fault", "JMESH_TEST_FAULT"));
  }

  static InboundHook failingInbound() {
    return new InboundHook() {
      @Override
      public SocketAddress beforeBind(Object listener, SocketAddress requested) {
        throw new IllegalStateException("fault injected by jmesh.test.fault=hooks");
      }

      @Override
      public void afterBind(
          Object listener, SocketAddress requested, SocketAddress bound, Throwable failure) {
        throw new IllegalStateException("fault injected by jmesh.test.fault=hooks");
      }
    };
  }

  static OutboundHook failingOutbound() {
    return new OutboundHook() {
      @Override
      public InetAddress[] resolve(String host) {
        throw new IllegalStateException("fault injected by jmesh.test.fault=hooks");
      }

      @Override
      public SocketAddress beforeConnect(SocketAddress target) {
        throw new IllegalStateException("fault injected by jmesh.test.fault=hooks");
      }
    };
  }
}
