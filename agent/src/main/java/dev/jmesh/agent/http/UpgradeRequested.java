package dev.jmesh.agent.http;

/**
 * Fired towards the relay, in order with the requests, after a request asking to upgrade the
 * connection (WebSocket, h2c) or a CONNECT: what follows is held until the answer shows whether
 * the stream turned raw.
 *
 * @param connect whether it was a CONNECT (a 2xx answer then means a tunnel)
 */
public record UpgradeRequested(boolean connect) {}
