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
 *
 * <p>Every agent keeps one connection open for its long poll and reuses it for its ACK and its
 * next poll. The JDK server closes a connection that turns idle while 200 others are idle ({@code
 * sun.net.httpserver.maxIdleConnections}); waking thousands of watchers at once turns thousands
 * idle together, and each agent would pay a new mutual-TLS handshake for its ACK. So the listener
 * keeps every idle connection (they still close after the JDK's idle timeout) and answers with
 * {@code TCP_NODELAY}; either property given on the command line wins.
 */
public final class ControlHttpServer {

  private static final int BACKLOG = 4096;

  /** The JDK server reads this once, when its first server is made in the JVM. */
  static final String MAX_IDLE_CONNECTIONS = "sun.net.httpserver.maxIdleConnections";

  static final String NO_DELAY = "sun.net.httpserver.nodelay";

  /** Idle connections kept open, far above the agents one server is meant for. */
  static final int KEPT_IDLE_CONNECTIONS = 100_000;

  private final HttpsServer server;

  private ControlHttpServer(HttpsServer server) {
    this.server = server;
  }

  /** Binds {@code address} and starts serving {@code dispatcher} on {@code executor}. */
  public static ControlHttpServer start(
      InetSocketAddress address, SSLContext tls, ApiDispatcher dispatcher, Executor executor)
      throws IOException {
    keepAgentConnectionsOpen();
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

  /** Must run before the JVM's first JDK HTTP server is made; later changes are not read. */
  private static void keepAgentConnectionsOpen() {
    if (System.getProperty(MAX_IDLE_CONNECTIONS) == null) {
      System.setProperty(MAX_IDLE_CONNECTIONS, Integer.toString(KEPT_IDLE_CONNECTIONS));
    }
    if (System.getProperty(NO_DELAY) == null) {
      System.setProperty(NO_DELAY, "true");
    }
  }

  public InetSocketAddress address() {
    return server.getAddress();
  }

  /** Stops accepting, gives open exchanges up to {@code graceSeconds} to finish, then closes. */
  public void stop(int graceSeconds) {
    server.stop(graceSeconds);
  }
}
