/**
 * Istio-compatible policy for jmesh: the typed model, {@code kubectl apply}-style YAML parsing and
 * validation, and the engines that turn policy plus a workload into decisions. Plain Java: no I/O,
 * no bytecode, no threads.
 */
package dev.jmesh.policy;
