package dev.jmesh.instrumentation.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jmesh.instrumentation.tooling.InstalledOnce;
import dev.jmesh.instrumentation.tooling.Installer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What every servlet container must show with the servlet module installed. The container serves
 * {@code /echo} (an HttpServlet overriding {@code doGet}), {@code /plain} (a servlet implementing
 * {@code service} itself) and runs a filter over both; all of them are the application's classes.
 */
abstract class ServletContainerContract {

  static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  static final String REQUEST_ID = "3d9c2f1e-8a4b-4c7d-9e1f-2a3b4c5d6e7f";
  private static final String SEEN = TRACEPARENT + " " + REQUEST_ID;
  private static final HttpClient CLIENT = HttpClient.newHttpClient();
  private static Installer installer;

  @BeforeAll
  static void instrument() {
    installer = InstalledOnce.module(new ServletModule());
  }

  @AfterEach
  void noTransformationErrors() {
    assertEquals(0, installer.errorCount(), "the installer logged transformation errors");
  }

  /** The container's port on 127.0.0.1. */
  abstract int port();

  /** What the application's filter saw after the chain returned, last time. */
  abstract String filterSawAfterChain();

  private HttpResponse<String> get(String path, boolean withContext) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path));
    if (withContext) {
      request.header("traceparent", TRACEPARENT).header("X-Request-Id", REQUEST_ID);
    }
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void anHttpServletSeesTheRequestsContext() throws Exception {
    HttpResponse<String> response = get("/echo", true);
    assertEquals(200, response.statusCode());
    assertEquals(SEEN, response.body());
  }

  @Test
  void aServletImplementingServiceItselfSeesItToo() throws Exception {
    assertEquals(SEEN, get("/plain", true).body());
  }

  @Test
  void aFilterSeesItAndItStaysCurrentUntilTheFilterReturns() throws Exception {
    HttpResponse<String> response = get("/echo", true);
    assertEquals(SEEN, response.headers().firstValue("x-filter-saw").orElse("no header"));
    assertEquals(SEEN, filterSawAfterChain());
  }

  @Test
  void aRequestWithoutContextSeesNoneAfterOneWithContext() throws Exception {
    assertEquals(SEEN, get("/echo", true).body());
    HttpResponse<String> response = get("/echo", false);
    assertEquals("none", response.body());
    assertEquals("none", response.headers().firstValue("x-filter-saw").orElse("no header"));
  }
}
