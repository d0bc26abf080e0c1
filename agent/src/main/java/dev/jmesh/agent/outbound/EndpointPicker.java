package dev.jmesh.agent.outbound;

import dev.jmesh.api.ServiceInstance;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Round robin over the live instances of a service that serve the requested port. An instance with
 * exactly one port also serves requests for port 80 and for ports it does not list (the common case
 * of {@code http://orders} reaching an app on 8080).
 */
final class EndpointPicker {

  private final AtomicInteger next = new AtomicInteger();

  /** The next endpoint for {@code port}, or null when no instance serves it. */
  InetSocketAddress pick(List<ServiceInstance> instances, int port) {
    List<InetSocketAddress> candidates = new ArrayList<>();
    for (ServiceInstance instance : instances) {
      Integer target = targetPort(instance, port);
      if (target != null && instance.address() != null) {
        candidates.add(InetSocketAddress.createUnresolved(instance.address(), target));
      }
    }
    if (candidates.isEmpty()) {
      return null;
    }
    InetSocketAddress chosen =
        candidates.get(Math.floorMod(next.getAndIncrement(), candidates.size()));
    return new InetSocketAddress(chosen.getHostString(), chosen.getPort());
  }

  static Integer targetPort(ServiceInstance instance, int port) {
    List<Integer> ports = instance.ports() == null ? List.of() : instance.ports();
    if (ports.contains(port)) {
      return port;
    }
    if (ports.size() == 1) {
      return ports.get(0);
    }
    return null;
  }
}
