package dev.jmesh.control.http;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The HTTPS listener (the JDK's {@link HttpsServer}): TLS 1.2/1.3 that asks for, but does not
 * require, a client certificate, so join-token calls and workload-certificate calls share one port.
 */
public final class ControlHttpServer {

  private static final int BACKLOG = 4096;

  private final HttpsServer server;

  private ControlHttpServer(HttpsServer server) {
    this.server = server;
  }

  /** Binds {@code address} and starts serving {@code dispatcher} on {@code executor}. */
  public static ControlHttpServer start(
      InetSocketAddress address, SSLContext tls, ApiDispatcher dispatcher, Executor executor)
      throws IOException {
    HttpsServer server = HttpsServer.create(address, BACKLOG);
    server.setHttpsConfigurator(
        new HttpsConfigurator(tls) {
          @Override
          public void configure(HttpsParameters parameters) {
            SSLParameters ssl = getSSLContext().getDefaultSSLParameters();
            ssl.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
            ssl.setWantClientAuth(true);
            parameters.setSSLParameters(ssl);
          }
        });
    server.createContext("/", dispatcher);
    server.setExecutor(executor);
    server.start();
    return new ControlHttpServer(server);
  }

  public InetSocketAddress address() {
    return server.getAddress();
  }

  /** Stops accepting, gives open exchanges up to {@code graceSeconds} to finish, then closes. */
  public void stop(int graceSeconds) {
    server.stop(graceSeconds);
  }
}
