package dev.jmesh.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.LinkedHashMap;
import java.util.Map;

/** Assertions on what the sample apps report. */
final class MeshAssertions {

  static final String XFCC = "x-forwarded-client-cert";

  private MeshAssertions() {}

  /** The request headers a sample app's GET /headers reported. */
  static Map<String, Object> headers(String headersJson) {
    return Json.parseObject(headersJson);
  }

  /**
   * The headers show that the request arrived over mTLS at {@code server} from {@code client}:
   * {@code x-forwarded-client-cert: By=<server SPIFFE ID>;URI=<client SPIFFE ID>}.
   */
  static void assertArrivedOverMutualTls(String headersJson, MeshApp client, MeshApp server) {
    Map<String, Object> headers = headers(headersJson);
    Object xfcc = headers.get(XFCC);
    assertNotNull(
        xfcc,
        () -> server.service() + " saw no " + XFCC + " header; headers: " + headersJson);
    Map<String, String> elements = xfccElements(String.valueOf(xfcc));
    assertEquals(
        server.spiffeId(), elements.get("By"), () -> "By= of " + XFCC + ": " + xfcc);
    assertEquals(
        client.spiffeId(), elements.get("URI"), () -> "URI= of " + XFCC + ": " + xfcc);
  }

  /** The headers show no client identity (the request did not arrive over mTLS). */
  static void assertNoClientIdentity(String headersJson) {
    assertNull(
        headers(headersJson).get(XFCC),
        () -> "expected no " + XFCC + " header; headers: " + headersJson);
  }

  /** {@code By=x;URI=y;Hash=z} as a map (one element; the header must not carry several). */
  static Map<String, String> xfccElements(String value) {
    Map<String, String> elements = new LinkedHashMap<>();
    for (String part : value.split(";")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        String v = part.substring(eq + 1).trim();
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
          v = v.substring(1, v.length() - 1);
        }
        elements.put(part.substring(0, eq).trim(), v);
      }
    }
    return elements;
  }
}
