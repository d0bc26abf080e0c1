package dev.jmesh.benchmarks.load;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.jmesh.benchmarks.tls.TlsCost;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Arrays;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The server app of every data-plane set-up: a minimal JDK {@link HttpServer} on 127.0.0.1 that
 * reads the request body and answers 200 with a 1 KB body. It knows nothing of the mesh.
 *
 * <p>Usage: {@code BenchServer <port> [responseBytes]}. Prints {@code listening <port>} once bound.
 * It runs until it is killed, or for at most {@code bench.server.maxSeconds} (default 1800) so that
 * a forgotten process ends by itself. With {@code -Dbench.server.tls=<pki dir>} it is an {@link
 * HttpsServer} that requires a client certificate (mutual TLS with the JDK's TLS, the certificates of
 * {@code harness/Pki}): the app doing a mesh's TLS itself.
 */
public final class BenchServer {

  private BenchServer() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    int responseBytes = args.length > 1 ? Integer.parseInt(args[1]) : 1024;
    long maxSeconds = Long.getLong("bench.server.maxSeconds", 1800);
    byte[] body = new byte[responseBytes];
    Arrays.fill(body, (byte) 'x');

    // Without TCP_NODELAY the response headers and body go out as two segments and the second waits
    // for the client's delayed ACK (40 ms).
    System.setProperty("sun.net.httpserver.nodelay", "true");
    InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
    String tls = System.getProperty("bench.server.tls");
    HttpServer server = tls == null ? HttpServer.create(address, 256) : mutualTls(address, Path.of(tls));
    server.createContext("/", exchange -> respond(exchange, body));
    int threads = Integer.getInteger("bench.server.threads", 2);
    if (threads > 0) {
      server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(threads, r -> {
        Thread t = new Thread(r, "bench-handler");
        t.setDaemon(true);
        return t;
      }));
    }
    server.start();
    System.out.println("listening " + port);
    System.out.flush();
    Thread.sleep(maxSeconds * 1000);
    server.stop(0);
    System.exit(0);
  }

  private static HttpsServer mutualTls(InetSocketAddress address, Path pki) throws Exception {
    HttpsServer server = HttpsServer.create(address, 256);
    SSLContext context = TlsCost.context(pki, "server");
    server.setHttpsConfigurator(
        new HttpsConfigurator(context) {
          @Override
          public void configure(HttpsParameters params) {
            SSLParameters ssl = getSSLContext().getDefaultSSLParameters();
            ssl.setNeedClientAuth(true);
            params.setSSLParameters(ssl);
          }
        });
    return server;
  }

  private static void respond(HttpExchange exchange, byte[] body) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
    exchange.sendResponseHeaders(200, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
