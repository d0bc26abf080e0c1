package dev.jmesh.agent.tracing;

import io.netty.handler.codec.http.HttpRequest;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

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
      id = randomUuid().toString();
      request.headers().set(HEADER, id);
    }
    return id;
  }

  /**
   * A version-4 UUID from {@link ThreadLocalRandom}: a request id needs to be unique, not secret,
   * and {@link UUID#randomUUID()} takes SecureRandom's lock on every request.
   */
  static UUID randomUuid() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long most = (random.nextLong() & ~0xF000L) | 0x4000L;
    long least = (random.nextLong() & ~(0xC000_0000_0000_0000L)) | 0x8000_0000_0000_0000L;
    return new UUID(most, least);
  }
}
