package dev.jmesh.agent.admin;

import dev.jmesh.agent.control.ControlSession;
import dev.jmesh.agent.identity.IdentityStore;
import dev.jmesh.agent.identity.MeshTrustBundle;
import dev.jmesh.agent.identity.WorkloadCertificate;
import dev.jmesh.agent.inbound.InboundListener;
import dev.jmesh.agent.inbound.InboundListeners;
import dev.jmesh.agent.inbound.PortDecision;
import dev.jmesh.agent.outbound.EgressListener;
import dev.jmesh.agent.outbound.EgressListeners;
import dev.jmesh.agent.runtime.AppliedSnapshot;
import dev.jmesh.agent.runtime.MeshState;
import dev.jmesh.agent.runtime.RecentConnections;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The agent's state as JSON-ready maps, for {@code /config_dump}. */
public final class ConfigDump {

  private final IdentityStore identity;
  private final MeshState mesh;
  private final ControlSession control;
  private final InboundListeners inbound;
  private final EgressListeners egress;
  private final RecentConnections inboundConnections;
  private final RecentConnections outboundConnections;
  private volatile Supplier<List<String>> instrumentedTypes = List::of;

  public ConfigDump(
      IdentityStore identity,
      MeshState mesh,
      ControlSession control,
      InboundListeners inbound,
      EgressListeners egress,
      RecentConnections inboundConnections,
      RecentConnections outboundConnections) {
    this.identity = identity;
    this.mesh = mesh;
    this.control = control;
    this.inbound = inbound;
    this.egress = egress;
    this.inboundConnections = inboundConnections;
    this.outboundConnections = outboundConnections;
  }

  public Map<String, Object> build() {
    Map<String, Object> dump = new LinkedHashMap<>();
    dump.put("identity", identity());
    MeshTrustBundle bundle = identity.trustBundle();
    dump.put(
        "trustBundle",
        bundle == null
            ? null
            : Map.of("trustDomain", bundle.trustDomain(), "subjects", bundle.subjects()));
    dump.put("snapshot", snapshot());
    dump.put("inboundListeners", inboundListeners());
    dump.put("egressListeners", egressListeners());
    dump.put("recentInboundConnections", connections(inboundConnections));
    dump.put("recentOutboundConnections", connections(outboundConnections));
    dump.put("control", control.status());
    dump.put("instrumentedTypes", instrumentedTypes.get());
    return dump;
  }

  /** Where the names of the instrumented types come from, once the installer has run. */
  public void instrumentedTypes(Supplier<List<String>> types) {
    this.instrumentedTypes = types;
  }

  private Map<String, Object> identity() {
    WorkloadCertificate certificate = identity.certificate();
    if (certificate == null) {
      return null;
    }
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("spiffeId", certificate.spiffeId());
    map.put("notAfter", certificate.notAfter().toString());
    map.put("serial", certificate.serial());
    return map;
  }

  private Map<String, Object> snapshot() {
    AppliedSnapshot applied = mesh.current();
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("version", applied == null ? null : applied.version());
    map.put("trustDomain", applied == null ? null : applied.trustDomain());
    map.put("policies", applied == null ? 0 : applied.policyCount());
    map.put("lastReceivedVersion", control.snapshotVersion());
    map.put("ackedVersion", control.ackedVersion());
    map.put("nackError", control.nackError());
    return map;
  }

  private List<Map<String, Object>> inboundListeners() {
    List<Map<String, Object>> list = new ArrayList<>();
    for (InboundListener listener : inbound.listeners()) {
      PortDecision decision = mesh.decide(listener.port());
      if (decision == null) {
        decision = PortDecision.NO_SNAPSHOT;
      }
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("requestedAddress", String.valueOf(listener.requested()));
      map.put("appAddress", String.valueOf(listener.appAddress().getNow(null)));
      map.put("mode", decision.mode().name());
      map.put("policy", decision.source());
      list.add(map);
    }
    return list;
  }

  private List<Map<String, Object>> egressListeners() {
    List<Map<String, Object>> list = new ArrayList<>();
    for (EgressListener listener : egress.listeners()) {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("service", listener.service().fqdn(mesh.trustDomain()));
      map.put("port", listener.port());
      map.put("listenerAddress", String.valueOf(listener.address()));
      list.add(map);
    }
    return list;
  }

  private static List<Map<String, Object>> connections(RecentConnections connections) {
    List<Map<String, Object>> list = new ArrayList<>();
    for (RecentConnections.Entry e : connections.list()) {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("at", e.at().toString());
      map.put("target", e.target());
      map.put("endpoint", e.endpoint());
      map.put("peerSpiffeId", e.peerSpiffeId());
      map.put("tlsProtocol", e.tlsProtocol());
      map.put("cipherSuite", e.cipherSuite());
      map.put("security", e.security());
      list.add(map);
    }
    return list;
  }
}
