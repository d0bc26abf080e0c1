package dev.jmesh.instrumentation.servlet;

import dev.jmesh.instrumentation.tooling.InstalledOnce;
import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import testapp.servlet.jakarta.ContextEchoServlet;
import testapp.servlet.jakarta.ContextRecordingFilter;
import testapp.servlet.jakarta.PlainContextServlet;

/** {@code jakarta.servlet} in Jetty 12 (ee10), the server the repository's sample app uses. */
class Jetty12JakartaServletTest extends ServletContainerContract {

  private static Server server;
  private static ServerConnector connector;

  @BeforeAll
  static void start() throws Exception {
    InstalledOnce.module(new ServletModule());
    server = new Server();
    connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler handler = new ServletContextHandler();
    handler.setContextPath("/");
    handler.addServlet(new ServletHolder(new ContextEchoServlet()), "/echo");
    handler.addServlet(new ServletHolder(new PlainContextServlet()), "/plain");
    handler.addFilter(
        new FilterHolder(new ContextRecordingFilter()), "/*", EnumSet.of(DispatcherType.REQUEST));
    server.setHandler(handler);
    server.start();
  }

  @AfterAll
  static void stop() throws Exception {
    server.stop();
  }

  @Override
  int port() {
    return connector.getLocalPort();
  }

  @Override
  String filterSawAfterChain() {
    return ContextRecordingFilter.AFTER_CHAIN.get();
  }
}
