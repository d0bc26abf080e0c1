package dev.jmesh.control.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Escaping for API paths and queries. */
final class Paths {

  private Paths() {}

  static String segment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  static String query(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
