package dev.jmesh.api;

/** The registered instance and how often it must heartbeat before it expires. */
public record RegistrationResponse(
    String instanceId, int heartbeatIntervalSeconds, int expirySeconds) {}
