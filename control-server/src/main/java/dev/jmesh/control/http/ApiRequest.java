package dev.jmesh.control.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.jmesh.api.SpiffeId;
import dev.jmesh.control.ApiException;
import dev.jmesh.control.Json;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/** One API call as handlers see it: path and query parameters, body, headers, TLS peer. */
public final class ApiRequest {

  static final int MAX_BODY_BYTES = 4 * 1024 * 1024;

  /** Where a TLS session keeps its client's SPIFFE ID once it has been read. */
  private static final String SESSION_SPIFFE_ID = "dev.jmesh.control.client-spiffe-id";

  private final Exchange exchange;
  private final Map<String, String> pathParameters;
  private final Map<String, String> queryParameters;

  /** @throws ApiException 400 when the query's percent-encoding is malformed */
  ApiRequest(Exchange exchange, Map<String, String> pathParameters) throws ApiException {
    this.exchange = exchange;
    this.pathParameters = pathParameters;
    try {
      this.queryParameters = parseQuery(exchange.rawQuery());
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(
          "the query of " + describe() + " is not valid percent-encoding: " + e.getMessage());
    }
  }

  /**
   * Answers the call later, for handlers that returned {@link ApiResponse#deferred()}; any thread
   * may call it, and only the first answer is sent.
   */
  public void respond(ApiResponse response) {
    exchange.respond(response);
  }

  /** {@code GET /v1/snapshot}, for error messages (the router has checked the path decodes). */
  public String describe() {
    return exchange.method() + " " + exchange.path();
  }

  public String pathParameter(String name) {
    return pathParameters.get(name);
  }

  public Optional<String> query(String name) {
    String value = queryParameters.get(name);
    return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
  }

  /** A query parameter that must be present. */
  public String requiredQuery(String name) throws ApiException {
    return query(name)
        .orElseThrow(
            () ->
                ApiException.badRequest(
                    "query parameter '" + name + "' is missing from " + describe()));
  }

  /** A numeric query parameter, or {@code fallback} when absent. */
  public long longQuery(String name, long fallback) throws ApiException {
    Optional<String> value = query(name);
    if (value.isEmpty()) {
      return fallback;
    }
    try {
      return Long.parseLong(value.get());
    } catch (NumberFormatException e) {
      throw ApiException.badRequest(
          "query parameter '"
              + name
              + "' of "
              + describe()
              + " must be a whole number, got '"
              + value.get()
              + "'");
    }
  }

  public Optional<String> header(String name) {
    return Optional.ofNullable(exchange.header(name));
  }

  /** Every value of header {@code name}, in the order sent; empty when it is absent. */
  public List<String> headers(String name) {
    return exchange.headers(name);
  }

  /** The whole body (at most {@link #MAX_BODY_BYTES}; the listener refuses larger ones). */
  public byte[] body() {
    return exchange.body();
  }

  public String bodyText() {
    return new String(body(), StandardCharsets.UTF_8);
  }

  /** The JSON body as {@code type}; 400 naming the record when it is missing or malformed. */
  public <T> T bodyAs(Class<T> type) throws ApiException, IOException {
    byte[] bytes = body();
    if (bytes.length == 0) {
      throw ApiException.badRequest(
          "request body of " + describe() + " is empty; expected a JSON " + type.getSimpleName());
    }
    try {
      T value = Json.MAPPER.readValue(bytes, type);
      if (value == null) {
        throw ApiException.badRequest(
            "request body of " + describe() + " is null; expected a JSON " + type.getSimpleName());
      }
      return value;
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest(
          "request body of "
              + describe()
              + " is not a valid JSON "
              + type.getSimpleName()
              + ": "
              + e.getOriginalMessage());
    }
  }

  /** The certificate the client authenticated the TLS connection with, if any. */
  public Optional<X509Certificate> clientCertificate() {
    SSLSession session = exchange.tlsSession();
    if (session == null) {
      return Optional.empty();
    }
    try {
      Certificate[] chain = session.getPeerCertificates();
      return chain.length > 0 && chain[0] instanceof X509Certificate leaf
          ? Optional.of(leaf)
          : Optional.empty();
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty();
    }
  }

  /**
   * The SPIFFE ID in the client certificate's URI SAN, or empty when there is no client certificate
   * or it carries none. Read once per TLS session and kept in it: an agent makes all its calls (long
   * polls, ACKs, heartbeats) on one connection, and reading the SAN parses the certificate's
   * extension each time (~7 % of the server's samples in a JFR recording of a push to 2,000
   * agents).
   */
  public Optional<SpiffeId> clientSpiffeId() {
    SSLSession session = exchange.tlsSession();
    if (session == null) {
      return Optional.empty();
    }
    if (session.getValue(SESSION_SPIFFE_ID) instanceof SpiffeId known) {
      return Optional.of(known);
    }
    Optional<SpiffeId> identity = clientCertificate().flatMap(SpiffeId::fromCertificate);
    identity.ifPresent(id -> session.putValue(SESSION_SPIFFE_ID, id));
    return identity;
  }

  public String remoteAddress() {
    return exchange.remoteAddress().getAddress().getHostAddress();
  }

  private static Map<String, String> parseQuery(String rawQuery) {
    Map<String, String> parameters = new HashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return parameters;
    }
    for (String pair : rawQuery.split("&")) {
      int equals = pair.indexOf('=');
      String name = equals < 0 ? pair : pair.substring(0, equals);
      String value = equals < 0 ? "" : pair.substring(equals + 1);
      parameters.putIfAbsent(
          URLDecoder.decode(name, StandardCharsets.UTF_8),
          URLDecoder.decode(value, StandardCharsets.UTF_8));
    }
    return parameters;
  }
}
