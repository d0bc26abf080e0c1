package dev.jmesh.control.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.jmesh.api.ApiError;
import dev.jmesh.control.Json;
import java.io.UncheckedIOException;

/**
 * What a handler answers: a status with an optional body, or {@link #deferred()} when the handler
 * has parked the exchange and another thread will answer it.
 */
public record ApiResponse(int status, byte[] body, String contentType, String contentEncoding) {

  static final String JSON = "application/json";
  private static final ApiResponse DEFERRED = new ApiResponse(-1, null, null);

  /** An answer whose body is sent as is (no {@code Content-Encoding}). */
  public ApiResponse(int status, byte[] body, String contentType) {
    this(status, body, contentType, null);
  }

  public static ApiResponse json(int status, Object body) {
    try {
      return new ApiResponse(status, Json.MAPPER.writeValueAsBytes(body), JSON);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An {@code ApiError} answer: what is wrong, and where. */
  public static ApiResponse error(int status, String message) {
    return json(status, new ApiError(message));
  }

  public static ApiResponse ok(Object body) {
    return json(200, body);
  }

  /** A 200 whose body is already JSON. */
  public static ApiResponse okJson(byte[] json) {
    return new ApiResponse(200, json, JSON);
  }

  /** A 200 whose body is JSON already compressed with gzip ({@code Content-Encoding: gzip}). */
  public static ApiResponse okGzipJson(byte[] gzippedJson) {
    return new ApiResponse(200, gzippedJson, JSON, "gzip");
  }

  public static ApiResponse noContent() {
    return new ApiResponse(204, null, null);
  }

  public static ApiResponse notModified() {
    return new ApiResponse(304, null, null);
  }

  /** The handler keeps the exchange and answers it later from another thread. */
  public static ApiResponse deferred() {
    return DEFERRED;
  }

  public boolean isDeferred() {
    return this == DEFERRED;
  }
}
