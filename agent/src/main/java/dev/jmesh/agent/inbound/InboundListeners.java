package dev.jmesh.agent.inbound;

import dev.jmesh.agent.config.AgentConfig;
import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.bootstrap.InboundHook;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The inbound hook: when the application binds a meshed port, the agent binds that address itself
 * and moves the application to a loopback ephemeral port.
 */
public final class InboundListeners implements InboundHook {

  private final AgentConfig config;
  private final InboundContext context;
  private final Runnable portsChanged;
  private final Map<InetSocketAddress, InboundListener> listeners = new ConcurrentHashMap<>();
  private volatile boolean meshNewBinds = true;

  /**
   * @param portsChanged told whenever the set of served ports changes (for heartbeats)
   */
  public InboundListeners(AgentConfig config, InboundContext context, Runnable portsChanged) {
    this.config = config;
    this.context = context;
    this.portsChanged = portsChanged;
  }

  @Override
  public SocketAddress beforeBind(Object appListener, SocketAddress requested) {
    if (!meshNewBinds
        || !(requested instanceof InetSocketAddress address)
        || address.isUnresolved()
        || !config.meshesInboundPort(address.getPort())) {
      return requested;
    }
    InboundListener listener = listeners.get(address);
    if (listener == null || !listener.isOpen()) {
      try {
        listener = InboundListener.bind(address, context);
      } catch (Exception e) {
        if (!(e instanceof BindException)) {
          AgentLog.warn(
              "cannot serve "
                  + address
                  + " for the mesh ("
                  + e
                  + "); the application binds it itself, unmeshed");
        }
        return requested;
      }
      listeners.put(address, listener);
    } else {
      listener.appUnbound();
    }
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
  }

  @Override
  public void afterBind(
      Object appListener, SocketAddress requested, SocketAddress bound, Throwable failure) {
    InboundListener listener = listeners.get(requested);
    if (listener == null) {
      return;
    }
    if (failure != null || !(bound instanceof InetSocketAddress boundAddress)) {
      listeners.remove(requested, listener);
      listener.close();
      return;
    }
    listener.appBound(boundAddress);
    AgentLog.debug("serving " + requested + " for the application at " + bound);
    portsChanged.run();
  }

  /** The agent gave up on the mesh: later binds are the application's own. */
  public void leaveNewBindsAlone() {
    meshNewBinds = false;
  }

  /** The original ports served now, for registration and heartbeats. */
  public List<Integer> ports() {
    TreeSet<Integer> ports = new TreeSet<>();
    for (InboundListener listener : listeners.values()) {
      if (listener.isOpen() && listener.appAddress().isDone()) {
        ports.add(listener.port());
      }
    }
    return new ArrayList<>(ports);
  }

  public List<InboundListener> listeners() {
    return new ArrayList<>(listeners.values());
  }

  public void closeAll() {
    for (InboundListener listener : listeners.values()) {
      listener.close();
    }
    listeners.clear();
  }
}
