package dev.jmesh.api;

import java.util.List;

/** {@code GET /v1/trust-bundle}: the root certificates of the mesh, PEM. */
public record TrustBundle(String trustDomain, List<String> rootsPem) {}
