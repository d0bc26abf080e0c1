package dev.jmesh.control.http;

import dev.jmesh.control.ApiException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** Maps {@code METHOD /path/{param}} patterns to handlers. */
public final class Router {

  private record Route(String method, String[] segments, ApiHandler handler) {}

  /** The handler for a request and the path parameters it matched. */
  public record Match(ApiHandler handler, Map<String, String> pathParameters) {}

  private final List<Route> routes = new ArrayList<>();

  /** Adds a route; {@code pattern} segments in braces ({@code {id}}) match any one segment. */
  public Router add(String method, String pattern, ApiHandler handler) {
    routes.add(new Route(method, split(pattern), handler));
    return this;
  }

  /**
   * The route for {@code method} and raw {@code path}.
   *
   * @throws ApiException 404 when no route has that path, 405 when none has that method, 400 when
   *     the path's percent-encoding is malformed
   */
  public Match route(String method, String path) throws ApiException {
    String[] segments = decodeSegments(path);
    TreeSet<String> allowedMethods = new TreeSet<>();
    for (Route route : routes) {
      Map<String, String> parameters = match(route.segments(), segments);
      if (parameters == null) {
        continue;
      }
      if (route.method().equals(method)) {
        return new Match(route.handler(), parameters);
      }
      allowedMethods.add(route.method());
    }
    if (allowedMethods.isEmpty()) {
      throw ApiException.notFound("no API at " + path + " (" + method + ")");
    }
    throw new ApiException(
        405,
        method + " is not allowed on " + path + "; use " + String.join(" or ", allowedMethods));
  }

  /**
   * Split first, then decode, so that an encoded {@code /} stays inside its segment. A {@code +} is
   * itself in a path (RFC 3986); only a query's form encoding makes it a space.
   */
  private static String[] decodeSegments(String rawPath) throws ApiException {
    String[] segments = split(rawPath);
    try {
      for (int i = 0; i < segments.length; i++) {
        segments[i] = URLDecoder.decode(segments[i].replace("+", "%2B"), StandardCharsets.UTF_8);
      }
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(
          "the path " + rawPath + " is not valid percent-encoding: " + e.getMessage());
    }
    return segments;
  }

  private static Map<String, String> match(String[] pattern, String[] path) {
    if (pattern.length != path.length) {
      return null;
    }
    Map<String, String> parameters = new HashMap<>();
    for (int i = 0; i < pattern.length; i++) {
      String expected = pattern[i];
      String actual = path[i];
      if (expected.startsWith("{") && expected.endsWith("}")) {
        if (actual.isEmpty()) {
          return null;
        }
        parameters.put(expected.substring(1, expected.length() - 1), actual);
      } else if (!expected.equals(actual)) {
        return null;
      }
    }
    return parameters;
  }

  private static String[] split(String path) {
    String trimmed = path.startsWith("/") ? path.substring(1) : path;
    if (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    return trimmed.split("/", -1);
  }
}
