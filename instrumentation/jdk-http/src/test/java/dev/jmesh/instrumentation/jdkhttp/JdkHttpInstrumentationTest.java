package dev.jmesh.instrumentation.jdkhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.jmesh.bootstrap.RequestContext;
import dev.jmesh.instrumentation.jdkexecutors.JdkExecutorsModule;
import dev.jmesh.instrumentation.tooling.Installer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real JDK HttpServer and clients, instrumented in this JVM by the real installer. A test
 * request with propagation headers reaches an "app" HttpServer whose handler calls a "downstream"
 * server with the JDK HttpClient or HttpURLConnection, on the handler's thread or from a worker
 * pool; the downstream server records what arrived.
 */
class JdkHttpInstrumentationTest {

  private static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  private static final String REQUEST_ID = "7f1c2a3e-9d4b-4c11-9a2b-3c4d5e6f7a8b";

  private static final Map<String, Map<String, String>> RECEIVED = new ConcurrentHashMap<>();
  private static Installer installer;
  private static HttpServer downstream;
  private static HttpsServer secureDownstream;
  private static SSLContext tls;
  private static HttpServer app;
  private static ExecutorService workers;
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    installer =
        new Installer(ByteBuddyAgent.install(), JdkHttpInstrumentationTest.class.getClassLoader());
    installer.install(List.of(new JdkHttpModule(), new JdkExecutorsModule()));
    downstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    downstream.createContext("/", JdkHttpInstrumentationTest::record);
    downstream.start();
    tls = TestTls.selfSigned();
    secureDownstream =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    secureDownstream.setHttpsConfigurator(new HttpsConfigurator(tls));
    secureDownstream.createContext("/", JdkHttpInstrumentationTest::record);
    secureDownstream.start();
    workers = Executors.newFixedThreadPool(2);
    app = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    // One handler thread, so a request after one with a context runs on the same thread.
    app.setExecutor(Executors.newSingleThreadExecutor());
    app.createContext("/", JdkHttpInstrumentationTest::appHandler)
        .getFilters()
        .add(
            new Filter() {
              @Override
              public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
                chain.doFilter(exchange);
              }

              @Override
              public String description() {
                return "a filter of the app's";
              }
            });
    app.start();
  }

  private static void record(HttpExchange exchange) throws IOException {
    Map<String, String> headers = new TreeMap<>();
    exchange.getRequestHeaders()
        .forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values.get(0)));
    RECEIVED.put(exchange.getRequestURI().getPath(), headers);
    exchange.sendResponseHeaders(204, -1);
    exchange.close();
  }

  @AfterAll
  static void stop() {
    app.stop(0);
    downstream.stop(0);
    secureDownstream.stop(0);
    workers.shutdownNow();
    assertEquals(0, installer.errorCount(), "the installer logged transformation errors");
  }

  @AfterEach
  void nothingCurrentOnTheTestThread() {
    assertNull(RequestContext.current());
  }

  /** {@code /<client>/<where>/<downstream path>}: calls downstream with that client, there. */
  private static void appHandler(HttpExchange exchange) throws IOException {
    String[] parts = exchange.getRequestURI().getPath().split("/", 4);
    String client = parts[1];
    String where = parts[2];
    URI target =
        client.endsWith("-https")
            ? URI.create(
                "https://127.0.0.1:" + secureDownstream.getAddress().getPort() + "/" + parts[3])
            : URI.create("http://127.0.0.1:" + downstream.getAddress().getPort() + "/" + parts[3]);
    int status;
    try {
      if ("pool".equals(where)) {
        status = workers.submit(() -> call(client, target)).get(30, TimeUnit.SECONDS);
      } else {
        status = call(client, target);
      }
    } catch (Exception e) {
      status = 500;
    }
    byte[] body = String.valueOf(status).getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(200, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private static int call(String client, URI target) throws Exception {
    switch (client) {
      case "httpclient":
        return CLIENT.send(HttpRequest.newBuilder(target).build(), HttpResponse.BodyHandlers.discarding())
            .statusCode();
      case "httpclient-async":
        return CLIENT.sendAsync(HttpRequest.newBuilder(target).build(), HttpResponse.BodyHandlers.discarding())
            .get(30, TimeUnit.SECONDS)
            .statusCode();
      case "httpclient-own-id":
        return CLIENT.send(
                HttpRequest.newBuilder(target).header("X-Request-Id", "apps-own").build(),
                HttpResponse.BodyHandlers.discarding())
            .statusCode();
      case "urlconnection":
        return urlConnection(target, false);
      case "urlconnection-own-id":
        return urlConnection(target, true);
      case "urlconnection-https":
        return urlConnection(target, false);
      default:
        throw new IllegalArgumentException(client);
    }
  }

  private static int urlConnection(URI target, boolean ownRequestId) throws IOException {
    HttpURLConnection connection = (HttpURLConnection) new URL(target.toString()).openConnection();
    if (connection instanceof HttpsURLConnection) {
      ((HttpsURLConnection) connection).setSSLSocketFactory(tls.getSocketFactory());
    }
    if (ownRequestId) {
      connection.setRequestProperty("x-request-id", "apps-own");
    }
    try (InputStream in = connection.getInputStream()) {
      in.readAllBytes();
    }
    return connection.getResponseCode();
  }

  /** Sends a request with trace headers to the app and returns what downstream received. */
  private static Map<String, String> viaApp(String appPath) throws Exception {
    HttpResponse<String> response =
        CLIENT.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.getAddress().getPort() + appPath))
                .header("traceparent", TRACEPARENT)
                .header("x-request-id", REQUEST_ID)
                .header("x-b3-sampled", "1")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals("204", response.body(), "the app's call downstream");
    return RECEIVED.get(appPath.substring(appPath.indexOf('/', appPath.indexOf('/', 1) + 1)));
  }

  private static void assertCarried(Map<String, String> received) {
    assertEquals(TRACEPARENT, received.get("traceparent"));
    assertEquals(REQUEST_ID, received.get("x-request-id"));
    assertEquals("1", received.get("x-b3-sampled"));
    assertNull(received.get("b3"), "a header the request did not carry is not invented");
  }

  @Test
  void httpClientSendOnTheHandlersThread() throws Exception {
    assertCarried(viaApp("/httpclient/same/a"));
  }

  @Test
  void httpClientSendAsyncOnTheHandlersThread() throws Exception {
    assertCarried(viaApp("/httpclient-async/same/b"));
  }

  @Test
  void httpClientSendFromAWorkerPool() throws Exception {
    assertCarried(viaApp("/httpclient/pool/c"));
  }

  @Test
  void httpUrlConnectionOnTheHandlersThread() throws Exception {
    assertCarried(viaApp("/urlconnection/same/d"));
  }

  @Test
  void httpUrlConnectionFromAWorkerPool() throws Exception {
    assertCarried(viaApp("/urlconnection/pool/e"));
  }

  @Test
  void httpsUrlConnectionOnTheHandlersThread() throws Exception {
    assertCarried(viaApp("/urlconnection-https/same/k"));
  }

  @Test
  void theAppsOwnHeaderValueWins() throws Exception {
    Map<String, String> httpClient = viaApp("/httpclient-own-id/same/f");
    assertEquals("apps-own", httpClient.get("x-request-id"));
    assertEquals(TRACEPARENT, httpClient.get("traceparent"));
    Map<String, String> urlConnection = viaApp("/urlconnection-own-id/same/g");
    assertEquals("apps-own", urlConnection.get("x-request-id"));
    assertEquals(TRACEPARENT, urlConnection.get("traceparent"));
  }

  @Test
  void aRequestWithoutContextSendsNoneEvenOnTheSameThreadAfterOneWith() throws Exception {
    assertCarried(viaApp("/httpclient/same/h"));
    HttpResponse<String> response =
        CLIENT.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + app.getAddress().getPort() + "/httpclient/same/i"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals("204", response.body());
    Map<String, String> received = RECEIVED.get("/i");
    assertNull(received.get("traceparent"));
    assertNull(received.get("x-request-id"));
  }

  @Test
  void withNothingCurrentTheClientsSendRequestsUnchanged() throws Exception {
    URI target = URI.create("http://127.0.0.1:" + downstream.getAddress().getPort() + "/j");
    HttpRequest request = HttpRequest.newBuilder(target).header("x-custom", "1").build();
    CLIENT.send(request, HttpResponse.BodyHandlers.discarding());
    assertEquals("1", RECEIVED.get("/j").get("x-custom"));
    assertNull(RECEIVED.get("/j").get("traceparent"));
  }
}
