package dev.jmesh.api;

import java.util.Map;

/**
 * A stored Istio-style policy document as it travels on the wire: the document's identity, its
 * store versions and its {@code spec} as a generic JSON tree (maps, lists, strings, numbers,
 * booleans). {@code dev.jmesh.policy} turns it into typed policy and validates it.
 *
 * @param createdIndex store order of creation; Istio's "the oldest policy wins" uses it
 * @param resourceVersion the store version at which this document last changed
 */
public record PolicyResource(
    String apiVersion,
    String kind,
    String namespace,
    String name,
    long createdIndex,
    long resourceVersion,
    Map<String, Object> spec) {}
