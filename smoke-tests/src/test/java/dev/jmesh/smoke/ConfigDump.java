package dev.jmesh.smoke;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An agent's {@code /config_dump}, read by meaning rather than by exact layout: the tests look for
 * connections (objects with a peer SPIFFE ID), the mTLS mode next to a listener port, and the
 * workload certificate's serial, wherever the agent puts them. {@link #toString()} is the raw JSON,
 * for failure messages.
 */
final class ConfigDump {

  private static final Pattern TLS_PROTOCOL = Pattern.compile("TLSv1(\\.[0-3])?");
  private static final Set<String> MODES = Set.of("STRICT", "PERMISSIVE", "DISABLE");

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
  record Connection(String direction, String peer, String tlsProtocol, String path, Object raw) {
    boolean inbound() {
      return "inbound".equals(direction);
    }

    boolean outbound() {
      return "outbound".equals(direction);
    }

    /** Whether any value of the entry mentions {@code text} (host, service, address…). */
    boolean mentions(String text) {
      return String.valueOf(raw).contains(text);
    }
  }

  /** Every object with a peer SPIFFE ID, with its direction (from a field or the enclosing key). */
  List<Connection> connections() {
    List<Connection> connections = new ArrayList<>();
    walk(root, "", (path, object) -> {
      String peer = peerOf(object);
      if (peer == null) {
        return;
      }
      String direction = null;
      Object declared = object.get("direction");
      if (declared instanceof String d) {
        direction = d.toLowerCase(Locale.ROOT);
      } else if (path.contains("inbound")) {
        direction = "inbound";
      } else if (path.contains("outbound")) {
        direction = "outbound";
      }
      connections.add(new Connection(direction, peer, tlsProtocolOf(object), path, object));
    });
    return connections;
  }

  List<Connection> inbound() {
    return connections().stream().filter(Connection::inbound).toList();
  }

  List<Connection> outbound() {
    return connections().stream().filter(Connection::outbound).toList();
  }

  /**
   * The effective mTLS mode reported for {@code port}: the mode string in an object (a listener)
   * that also names the port; null if none.
   */
  String mtlsModeForPort(int port) {
    String[] found = new String[1];
    walk(root, "", (path, object) -> {
      if (found[0] != null || !namesPort(object, port)) {
        return;
      }
      String mode = modeOf(object, 0);
      if (mode != null) {
        found[0] = mode;
      }
    });
    return found[0];
  }

  /** All values of fields whose name contains "serial" (the workload certificate's serial). */
  List<String> certificateSerials() {
    List<String> serials = new ArrayList<>();
    walk(root, "", (path, object) -> {
      for (Map.Entry<String, Object> entry : object.entrySet()) {
        if (entry.getKey().toLowerCase(Locale.ROOT).contains("serial")
            && entry.getValue() != null
            && !(entry.getValue() instanceof Map)
            && !(entry.getValue() instanceof List)) {
          serials.add(String.valueOf(entry.getValue()));
        }
      }
    });
    return serials;
  }

  /** The first certificate serial, or null. */
  String certificateSerial() {
    List<String> serials = certificateSerials();
    return serials.isEmpty() ? null : serials.get(0);
  }

  @Override
  public String toString() {
    return Json.abbreviate(raw);
  }

  // --- walking -------------------------------------------------------------------------------

  private interface Visitor {
    void visit(String path, Map<String, Object> object);
  }

  @SuppressWarnings("unchecked")
  private static void walk(Object node, String path, Visitor visitor) {
    if (node instanceof Map<?, ?> map) {
      visitor.visit(path, (Map<String, Object>) map);
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        walk(entry.getValue(), path + "." + String.valueOf(entry.getKey()).toLowerCase(Locale.ROOT), visitor);
      }
    } else if (node instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        walk(list.get(i), path + "[" + i + "]", visitor);
      }
    }
  }

  /** A spiffe:// value under a key naming the peer (peer, peerSpiffeId, peer.spiffeId, …). */
  private static String peerOf(Map<String, Object> object) {
    for (Map.Entry<String, Object> entry : object.entrySet()) {
      if (!entry.getKey().toLowerCase(Locale.ROOT).contains("peer")) {
        continue;
      }
      String spiffe = firstSpiffe(entry.getValue(), 0);
      if (spiffe != null) {
        return spiffe;
      }
    }
    return null;
  }

  private static String firstSpiffe(Object value, int depth) {
    if (value instanceof String s && s.startsWith("spiffe://")) {
      return s;
    }
    if (depth < 2 && value instanceof Map<?, ?> map) {
      for (Object nested : map.values()) {
        String found = firstSpiffe(nested, depth + 1);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  private static String tlsProtocolOf(Object value) {
    if (value instanceof String s && TLS_PROTOCOL.matcher(s).matches()) {
      return s;
    }
    if (value instanceof Map<?, ?> map) {
      for (Object nested : map.values()) {
        String found = tlsProtocolOf(nested);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  private static boolean namesPort(Map<String, Object> object, int port) {
    for (Map.Entry<String, Object> entry : object.entrySet()) {
      if (entry.getKey().toLowerCase(Locale.ROOT).contains("port")
          && String.valueOf(port).equals(String.valueOf(entry.getValue()))) {
        return true;
      }
    }
    return false;
  }

  private static String modeOf(Object value, int depth) {
    if (value instanceof String s && MODES.contains(s.toUpperCase(Locale.ROOT))) {
      return s.toUpperCase(Locale.ROOT);
    }
    if (depth < 2 && value instanceof Map<?, ?> map) {
      for (Object nested : map.values()) {
        String found = modeOf(nested, depth + 1);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }
}
