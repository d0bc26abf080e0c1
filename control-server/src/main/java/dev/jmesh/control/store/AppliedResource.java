package dev.jmesh.control.store;

/**
 * What applying one resource did.
 *
 * @param action {@code created}, {@code configured} or {@code unchanged}
 */
public record AppliedResource(
    String kind, String namespace, String name, String action, long resourceVersion) {}
