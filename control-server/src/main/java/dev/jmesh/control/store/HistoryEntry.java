package dev.jmesh.control.store;

import java.util.Map;

/**
 * One change of a resource.
 *
 * @param action {@code created}, {@code configured} or {@code deleted}
 * @param spec the spec after the change; null for a deletion
 */
public record HistoryEntry(long resourceVersion, String action, Map<String, Object> spec) {}
