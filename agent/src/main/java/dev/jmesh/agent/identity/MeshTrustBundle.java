package dev.jmesh.agent.identity;

import java.security.cert.X509Certificate;
import java.util.List;

/** The roots the mesh trusts now (old and new during a CA rotation) and the trust domain. */
public record MeshTrustBundle(String trustDomain, List<X509Certificate> roots) {

  public MeshTrustBundle {
    roots = List.copyOf(roots);
  }

  public List<String> subjects() {
    return roots.stream().map(r -> r.getSubjectX500Principal().getName()).toList();
  }
}
