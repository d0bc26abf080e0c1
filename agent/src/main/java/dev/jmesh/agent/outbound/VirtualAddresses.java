package dev.jmesh.agent.outbound;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Loopback "VIPs" for mesh services, one per service, from 127.255.0.1 on. Resolving a mesh name
 * yields its VIP, so a later connect to that address alone can be mapped back to the service.
 */
public final class VirtualAddresses {

  private final Map<ServiceName, InetAddress> byService = new ConcurrentHashMap<>();
  private final Map<InetAddress, ServiceName> byAddress = new ConcurrentHashMap<>();
  private int next = 1;

  /** The VIP of {@code service}, carrying {@code host} as its name. */
  public InetAddress addressFor(ServiceName service, String host) {
    InetAddress vip = byService.computeIfAbsent(service, this::allocate);
    try {
      return InetAddress.getByAddress(host, vip.getAddress());
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The service whose VIP {@code address} is, or null. */
  public ServiceName serviceAt(InetAddress address) {
    byte[] bytes = address.getAddress();
    if (bytes.length != 4 || bytes[0] != 127 || bytes[1] != (byte) 255) {
      return null;
    }
    try {
      return byAddress.get(InetAddress.getByAddress(bytes));
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private synchronized InetAddress allocate(ServiceName service) {
    if (next > 0xFFFE) {
      throw new IllegalStateException("out of loopback VIPs for mesh services");
    }
    int n = next++;
    try {
      InetAddress vip =
          InetAddress.getByAddress(new byte[] {127, (byte) 255, (byte) (n >> 8), (byte) n});
      byAddress.put(vip, service);
      return vip;
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
