package dev.jmesh.control.http;

import com.sun.net.httpserver.HttpExchange;
import dev.jmesh.api.ApiError;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes an {@link ApiResponse} to an exchange and closes it; a vanished client is not an error.
 */
public final class ResponseWriter {

  private ResponseWriter() {}

  public static void send(HttpExchange exchange, ApiResponse response) {
    try {
      if (response.contentType() != null) {
        exchange.getResponseHeaders().set("Content-Type", response.contentType());
      }
      if (response.contentEncoding() != null) {
        exchange.getResponseHeaders().set("Content-Encoding", response.contentEncoding());
        exchange.getResponseHeaders().set("Vary", "Accept-Encoding");
      }
      byte[] body = response.body();
      boolean hasBody = body != null && body.length > 0;
      exchange.sendResponseHeaders(response.status(), hasBody ? body.length : -1);
      if (hasBody) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    } catch (IOException e) {
      // The client went away; nothing to answer.
    } finally {
      exchange.close();
    }
  }

  public static void sendError(HttpExchange exchange, int status, String message) {
    send(exchange, ApiResponse.json(status, new ApiError(message)));
  }
}
