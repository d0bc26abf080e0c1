package dev.jmesh.agent.inbound;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/** The "application" behind the inbound listener: answers with the XFCC header it received. */
public final class TestApp implements AutoCloseable {

  public final HttpServer server;
  public final AtomicInteger requests = new AtomicInteger();

  public TestApp() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          requests.incrementAndGet();
          String xfcc = exchange.getRequestHeaders().getFirst("x-forwarded-client-cert");
          byte[] body = ("xfcc=" + xfcc).getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
  }

  public InetSocketAddress address() {
    return server.getAddress();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
