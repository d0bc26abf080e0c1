package dev.jmesh.api;

/**
 * {@code POST /v1/snapshot/ack?instance=<id>}: whether the agent applied a snapshot (ACK) or
 * rejected it and kept its last good one (NACK, with the reason).
 */
public record SnapshotAck(long version, boolean accepted, String error) {}
