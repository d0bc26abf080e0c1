package dev.jmesh.smoke;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An agent's {@code /config_dump} (agent/…/admin/ConfigDump.java): {@code identity} (spiffeId,
 * serial, notAfter), {@code snapshot}, {@code inboundListeners} (requestedAddress, appAddress,
 * mode, policy), {@code egressListeners}, {@code recentInboundConnections} and {@code
 * recentOutboundConnections} (target, endpoint, peerSpiffeId, tlsProtocol, cipherSuite, security),
 * {@code instrumentedTypes}.
 * {@link #toString()} is the raw JSON, for failure messages.
 */
final class ConfigDump {

  private final String raw;
  private final Map<String, Object> root;

  ConfigDump(String raw) {
    this.raw = raw;
    this.root = Json.parseObject(raw);
  }

  Map<String, Object> root() {
    return root;
  }

  /** One connection the agent reports. */
  record Connection(
      String target,
      String endpoint,
      String peer,
      String tlsProtocol,
      String cipherSuite,
      String security) {

    static Connection of(Map<String, Object> map) {
      return new Connection(
          string(map.get("target")),
          string(map.get("endpoint")),
          string(map.get("peerSpiffeId")),
          string(map.get("tlsProtocol")),
          string(map.get("cipherSuite")),
          string(map.get("security")));
    }

    boolean from(String spiffeId) {
      return spiffeId.equals(peer);
    }
  }

  List<Connection> inbound() {
    return connections("recentInboundConnections");
  }

  List<Connection> outbound() {
    return connections("recentOutboundConnections");
  }

  private List<Connection> connections(String key) {
    List<Connection> connections = new ArrayList<>();
    for (Map<String, Object> entry : objects(root.get(key))) {
      connections.add(Connection.of(entry));
    }
    return connections;
  }

  /** The effective mTLS mode of the inbound listener on {@code port}, or null if none. */
  String mtlsModeForPort(int port) {
    for (Map<String, Object> listener : objects(root.get("inboundListeners"))) {
      String requested = string(listener.get("requestedAddress"));
      if (requested != null && requested.endsWith(":" + port)) {
        return string(listener.get("mode"));
      }
    }
    return null;
  }

  /** The workload certificate's serial, or null before the first certificate. */
  String certificateSerial() {
    Object identity = root.get("identity");
    return identity instanceof Map<?, ?> map ? string(map.get("serial")) : null;
  }

  /** The names of the types the agent instrumented, sorted. */
  List<String> instrumentedTypes() {
    List<String> names = new ArrayList<>();
    if (root.get("instrumentedTypes") instanceof List<?> items) {
      items.forEach(item -> names.add(String.valueOf(item)));
    }
    return names;
  }

  /** The workload's SPIFFE ID, or null before the first certificate. */
  String spiffeId() {
    Object identity = root.get("identity");
    return identity instanceof Map<?, ?> map ? string(map.get("spiffeId")) : null;
  }

  @Override
  public String toString() {
    return Json.abbreviate(raw);
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> objects(Object list) {
    List<Map<String, Object>> objects = new ArrayList<>();
    if (list instanceof List<?> items) {
      for (Object item : items) {
        if (item instanceof Map<?, ?> map) {
          objects.add((Map<String, Object>) map);
        }
      }
    }
    return objects;
  }

  private static String string(Object value) {
    return value == null ? null : String.valueOf(value);
  }
}
