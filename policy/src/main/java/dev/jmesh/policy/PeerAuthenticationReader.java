package dev.jmesh.policy;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads and validates a PeerAuthentication {@code spec} as Istio's CRD schema and {@code
 * ValidatePeerAuthentication} do: unknown fields are rejected, port-level mTLS needs a selector
 * with labels, ports are 1..65535, selector labels have non-empty keys and no wildcards.
 */
final class PeerAuthenticationReader {

  private PeerAuthenticationReader() {}

  static PeerAuthentication read(
      String namespace, String name, long createdIndex, Map<String, Object> spec)
      throws InvalidFieldException {
    Map<String, SpecNode> fields =
        new SpecNode("spec", spec).fields("selector", "mtls", "portLevelMtls");

    SpecNode selectorNode = fields.get("selector");
    Map<String, String> selector = selectorNode == null ? null : matchLabels(selectorNode);
    MtlsMode mode = fields.containsKey("mtls") ? mode(fields.get("mtls")) : MtlsMode.UNSET;

    Map<Integer, MtlsMode> portLevelMtls = new LinkedHashMap<>();
    SpecNode portsNode = fields.get("portLevelMtls");
    if (portsNode != null) {
      if (selector == null || selector.isEmpty()) {
        throw portsNode.invalid(
            "requires spec.selector.matchLabels (mesh- and namespace-wide PeerAuthentication"
                + " cannot have port-level mTLS)");
      }
      if (portsNode.asMapping().isEmpty()) {
        throw portsNode.invalid("must have at least one port when set");
      }
      for (Map.Entry<String, SpecNode> entry : portsNode.entries()) {
        int port = port(entry.getKey(), entry.getValue());
        SpecNode portMtls = entry.getValue();
        MtlsMode portMode = portMtls.value() == null ? MtlsMode.UNSET : mode(portMtls);
        if (portLevelMtls.put(port, portMode) != null) {
          throw portMtls.invalid("port " + port + " is given twice");
        }
      }
    }
    return new PeerAuthentication(namespace, name, createdIndex, selector, mode, portLevelMtls);
  }

  private static Map<String, String> matchLabels(SpecNode selectorNode)
      throws InvalidFieldException {
    SpecNode labelsNode = selectorNode.fields("matchLabels").get("matchLabels");
    Map<String, String> labels = new LinkedHashMap<>();
    if (labelsNode == null) {
      return labels;
    }
    for (Map.Entry<String, SpecNode> entry : labelsNode.entries()) {
      String key = entry.getKey();
      String value = entry.getValue().asString();
      if (key.isEmpty()) {
        throw entry.getValue().invalid("label key must not be empty");
      }
      if (key.contains("*") || value.contains("*")) {
        throw entry.getValue().invalid("wildcard is not supported in selector labels");
      }
      labels.put(key, value);
    }
    return labels;
  }

  private static MtlsMode mode(SpecNode mtlsNode) throws InvalidFieldException {
    SpecNode modeNode = mtlsNode.fields("mode").get("mode");
    return modeNode == null ? MtlsMode.UNSET : modeNode.asEnum(MtlsMode.class);
  }

  private static int port(String key, SpecNode node) throws InvalidFieldException {
    if (!key.matches("[0-9]{1,5}")) {
      throw node.invalid("\"" + key + "\" is not a port number");
    }
    int port = Integer.parseInt(key);
    if (port < 1 || port > 65535) {
      throw node.invalid("port must be in range 1..65535");
    }
    return port;
  }
}
