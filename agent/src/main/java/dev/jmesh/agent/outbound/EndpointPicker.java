package dev.jmesh.agent.outbound;

import dev.jmesh.api.ServiceInstance;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Round robin over the live instances of a service that serve the requested port. An instance with
 * exactly one port also serves requests for port 80 and for ports it does not list (the common case
 * of {@code http://orders} reaching an app on 8080). Runs once per connection the application opens
 * to a mesh service; choosing allocates only the chosen endpoint.
 */
public final class EndpointPicker {

  /** The instance chosen and the address to connect to. */
  public record Endpoint(ServiceInstance instance, InetSocketAddress address) {}

  private final AtomicInteger next = new AtomicInteger();

  /** The next endpoint for {@code port}, or null when no instance serves it. */
  public Endpoint pick(List<ServiceInstance> instances, int port) {
    int candidates = 0;
    for (ServiceInstance instance : instances) {
      if (serves(instance, port)) {
        candidates++;
      }
    }
    if (candidates == 0) {
      return null;
    }
    int chosen = Math.floorMod(next.getAndIncrement(), candidates);
    for (ServiceInstance instance : instances) {
      Integer target = instance.address() == null ? null : targetPort(instance, port);
      if (target != null && chosen-- == 0) {
        return new Endpoint(instance, new InetSocketAddress(instance.address(), target));
      }
    }
    return null; // not reached: the list is the one counted above
  }

  private static boolean serves(ServiceInstance instance, int port) {
    return instance.address() != null && targetPort(instance, port) != null;
  }

  static Integer targetPort(ServiceInstance instance, int port) {
    List<Integer> ports = instance.ports() == null ? List.of() : instance.ports();
    for (int i = 0; i < ports.size(); i++) {
      Integer candidate = ports.get(i);
      if (candidate != null && candidate == port) {
        return candidate; // compared unboxed: no Integer made per instance looked at
      }
    }
    if (ports.size() == 1) {
      return ports.get(0);
    }
    return null;
  }
}
