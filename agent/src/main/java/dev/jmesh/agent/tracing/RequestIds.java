package dev.jmesh.agent.tracing;

import io.netty.handler.codec.http.HttpRequest;
import java.util.UUID;

/**
 * {@code x-request-id} as Envoy handles it: a request that has one keeps it, a request without one
 * gets a new random UUID (version 4). Done on both sides whether tracing is on or not.
 */
public final class RequestIds {

  public static final String HEADER = "x-request-id";

  private RequestIds() {}

  /** Sets a new id on {@code request} unless it has one; returns the request's id. */
  public static String ensure(HttpRequest request) {
    String id = request.headers().get(HEADER);
    if (id == null || id.isBlank()) {
      id = UUID.randomUUID().toString();
      request.headers().set(HEADER, id);
    }
    return id;
  }
}
