package dev.jmesh.bootstrap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URL;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ContextHeadersTest {

  @AfterEach
  void nothingLeftCurrent() {
    assertNull(RequestContext.current(), "a test left a context current");
  }

  @Test
  void readsTheCarriedHeadersFromAJdkServersHeaders() {
    Headers headers = new Headers();
    headers.add("TraceParent", "00-abc-def-01");
    headers.add("X-Request-Id", "rid");
    headers.add("Accept", "*/*");
    RequestContext context = ContextHeaders.read(headers);
    assertEquals("00-abc-def-01", context.value("traceparent"));
    assertEquals("rid", context.value("x-request-id"));
    assertNull(context.value("b3"));
  }

  @Test
  void aRequestWithoutThemHasNoContext() {
    Headers headers = new Headers();
    headers.add("Accept", "*/*");
    assertNull(ContextHeaders.read(headers));
    assertNull(ContextHeaders.read(Map.of()));
    assertNull(ContextHeaders.read(null));
  }

  @Test
  void missingHeadersAreTheCurrentOnesTheRequestLacks() {
    Object token = ContextHeaders.enter(headers("traceparent", "tp", "x-request-id", "rid", "b3", "b"));
    try {
      Map<String, List<String>> existing = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      existing.put("X-Request-Id", List.of("apps-own"));
      assertArrayEquals(
          new String[] {"traceparent", "tp", "b3", "b"}, ContextHeaders.missingFrom(existing));
      Map<String, List<String>> plain = new ConcurrentHashMap<>();
      plain.put("TRACEPARENT", List.of("x"));
      plain.put("B3", List.of("x"));
      plain.put("X-REQUEST-ID", List.of("x"));
      assertNull(ContextHeaders.missingFrom(plain), "a header the app set in another case counts");
    } finally {
      RequestContext.exit(token);
    }
    assertNull(ContextHeaders.missingFrom(Map.of()), "nothing current, nothing missing");
  }

  @Test
  void anHttpUrlConnectionGetsTheCurrentHeadersButKeepsItsOwn() throws IOException {
    Map<String, String> received = new ConcurrentHashMap<>();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      exchange.getRequestHeaders().forEach((name, values) -> received.put(name.toLowerCase(), values.get(0)));
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    server.start();
    try {
      HttpURLConnection connection = (HttpURLConnection) new URL(
          "http://127.0.0.1:" + server.getAddress().getPort() + "/").openConnection();
      connection.setRequestProperty("X-Request-Id", "apps-own");
      Object token = ContextHeaders.enter(headers("traceparent", "tp", "x-request-id", "rid"));
      try {
        ContextHeaders.addTo(connection);
        assertEquals(204, connection.getResponseCode());
        ContextHeaders.addTo(connection); // connected now: left alone, no exception
      } finally {
        RequestContext.exit(token);
      }
      assertEquals("tp", received.get("traceparent"));
      assertEquals("apps-own", received.get("x-request-id"));
    } finally {
      server.stop(0);
    }
  }

  @Test
  void theAgentsOwnThreadsNeitherEnterNorSendAContext() throws Exception {
    Object[] seen = new Object[3];
    Thread agent = new AgentThread(() -> {
      seen[0] = ContextHeaders.enter(headers("traceparent", "tp"));
      // Even with a context current on it (made so directly), an agent thread sends none.
      String[] values = new String[RequestContext.headerCount()];
      values[0] = "tp";
      Object token = RequestContext.enter(RequestContext.of(values));
      try {
        seen[2] = RequestContext.current();
        seen[1] = ContextHeaders.missingFrom(Map.of());
      } finally {
        RequestContext.exit(token);
      }
    }, "test");
    agent.start();
    agent.join();
    assertNull(seen[0]);
    assertNotNull(seen[2]);
    assertNull(seen[1]);
  }

  private static Headers headers(String... namesAndValues) {
    Headers headers = new Headers();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      headers.add(namesAndValues[i], namesAndValues[i + 1]);
    }
    return headers;
  }
}
