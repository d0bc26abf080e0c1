package dev.jmesh.agent.outbound;

import dev.jmesh.bootstrap.OutboundHook;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The outbound hook: mesh names resolve to loopback VIPs (no DNS query leaves for them), and
 * connections to a mesh service go to an egress listener for that service and port instead.
 */
public final class EgressListeners implements OutboundHook {

  private record Key(ServiceName service, int port) {}

  private final EgressContext context;
  private final MeshNames names;
  private final VirtualAddresses vips = new VirtualAddresses();
  private final Map<Key, EgressListener> listeners = new ConcurrentHashMap<>();

  /** Services once found in the mesh: they stay mesh names while they have no instance. */
  private final Set<ServiceName> seen = ConcurrentHashMap.newKeySet();

  private volatile boolean active = true;

  public EgressListeners(String agentNamespace, EgressContext context) {
    this.context = context;
    this.names = new MeshNames(agentNamespace, context.directory(), seen::contains);
  }

  @Override
  public InetAddress[] resolve(String host) {
    ServiceName service = lookup(host, true);
    return service == null ? null : new InetAddress[] {vips.addressFor(service, host)};
  }

  @Override
  public SocketAddress beforeConnect(SocketAddress target) {
    if (!(target instanceof InetSocketAddress address)) {
      return target;
    }
    ServiceName service;
    if (address.isUnresolved()) {
      service = lookup(address.getHostString(), true);
    } else {
      service = vips.serviceAt(address.getAddress());
      if (service == null) {
        service = lookup(address.getHostString(), false);
      }
    }
    if (service == null) {
      return target;
    }
    return listeners
        .computeIfAbsent(
            new Key(service, address.getPort()),
            k -> EgressListener.bind(k.service(), k.port(), context))
        .address();
  }

  /**
   * The service {@code host} names. Before the first snapshot, short names wait for it (up to the
   * startup deadline) when {@code wait} is set; otherwise they count as not in the mesh.
   */
  private ServiceName lookup(String host, boolean wait) {
    if (!active || !MeshNames.couldBeMeshName(host)) {
      return null;
    }
    ServiceDirectory directory = context.directory();
    if (!directory.hasSnapshot() && names.needsSnapshot(host)) {
      if (!wait) {
        return null;
      }
      context.deadline().await(directory.firstSnapshot());
    }
    ServiceName service = names.lookup(host);
    if (service != null) {
      seen.add(service);
    }
    return service;
  }

  /** The agent gave up on the mesh: names and connections are the application's own again. */
  public void leaveConnectionsAlone() {
    active = false;
  }

  public List<EgressListener> listeners() {
    return new ArrayList<>(listeners.values());
  }

  public void closeAll() {
    listeners.values().forEach(EgressListener::close);
    listeners.clear();
  }
}
