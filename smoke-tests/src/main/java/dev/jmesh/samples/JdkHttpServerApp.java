package dev.jmesh.samples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;

/**
 * A sample service on the JDK's built-in HTTP server ({@code com.sun.net.httpserver}), listening on
 * 127.0.0.1:{@code app.port}. Endpoints: see {@link SampleSupport}.
 */
public final class JdkHttpServerApp {

  public static void main(String[] args) throws IOException {
    SampleSupport app = new SampleSupport("jdk-httpserver-app");
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", app.port()), 50);
    server.setExecutor(Executors.newFixedThreadPool(8, SampleSupport.daemonThreads("http")));
    server.createContext("/", exchange -> handle(app, exchange));
    server.start();
    System.out.println("JdkHttpServerApp " + app.name() + " listening on 127.0.0.1:" + app.port());
  }

  private static void handle(SampleSupport app, HttpExchange exchange) throws IOException {
    try (exchange) {
      Map<String, String> headers = new TreeMap<>();
      for (Map.Entry<String, List<String>> header : exchange.getRequestHeaders().entrySet()) {
        headers.put(header.getKey().toLowerCase(Locale.ROOT), String.join(", ", header.getValue()));
      }
      SampleSupport.Answer answer =
          app.handle(
              exchange.getRequestURI().getPath(), exchange.getRequestURI().getRawQuery(), headers);
      if (answer == null) {
        answer = new SampleSupport.Answer(404, "text/plain", "not found");
      }
      byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", answer.contentType());
      exchange.sendResponseHeaders(answer.status(), body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }
}
