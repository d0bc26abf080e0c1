package dev.jmesh.samples;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A sample service as a Jakarta Servlet in embedded Jetty 12 (ee10), listening on
 * 127.0.0.1:{@code app.port}. Endpoints: see {@link SampleSupport}.
 */
public final class JettyServletApp {

  public static void main(String[] args) throws Exception {
    SampleSupport app = new SampleSupport("jetty-servlet-app");
    QueuedThreadPool threads = new QueuedThreadPool(16, 4);
    threads.setName("jetty");
    Server server = new Server(threads);
    ServerConnector connector = new ServerConnector(server, 1, 1);
    connector.setHost("127.0.0.1");
    connector.setPort(app.port());
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.addServlet(new ServletHolder(new SampleServlet(app)), "/*");
    server.setHandler(context);
    server.start();
    System.out.println("JettyServletApp " + app.name() + " listening on 127.0.0.1:" + app.port());
    server.join();
  }

  /** Serves the shared endpoints of {@link SampleSupport}. */
  static final class SampleServlet extends HttpServlet {
    private final transient SampleSupport app;

    SampleServlet(SampleSupport app) {
      this.app = app;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      Map<String, String> headers = new TreeMap<>();
      for (String name : Collections.list(request.getHeaderNames())) {
        String values = String.join(", ", Collections.list(request.getHeaders(name)));
        headers.put(name.toLowerCase(Locale.ROOT), values);
      }
      SampleSupport.Answer answer =
          app.handle(request.getRequestURI(), request.getQueryString(), headers);
      if (answer == null) {
        answer = new SampleSupport.Answer(404, "text/plain", "not found");
      }
      byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
      response.setStatus(answer.status());
      response.setContentType(answer.contentType());
      response.setContentLength(body.length);
      response.getOutputStream().write(body);
    }
  }
}
